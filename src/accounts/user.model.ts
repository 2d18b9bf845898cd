import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ROLES } from '../shared/authorization.js';
import {
  ACTOR_TYPES, DISABILITY_ANSWERS, DOCUMENT_TYPES, ETHNIC_GROUPS, MIGRATION_STATUSES, SEXES,
} from './accounts.schemas.js';

/**
 * A person. Profile fields are validated at the edges (accounts.schemas.ts); here they
 * are optional because an anonymised account keeps only what statistics need (sex,
 * age band, territory, group codes), and a system-made administrator has no profile.
 */
const consentSchema = new Schema(
  {
    policyVersion: { type: String, required: true },
    acceptedAt: { type: Date, required: true },
    /** How it was collected: the registration form/API, or on paper before a CSV import. */
    source: { type: String, enum: ['registration', 'import'], required: true },
  },
  { _id: false },
);

const userSchema = new Schema(
  {
    email: { type: String, lowercase: true, trim: true },
    passwordHash: { type: String },
    roles: { type: [{ type: String, enum: ROLES }], default: ['learner'] },
    status: { type: String, enum: ['active', 'deactivated', 'deleted'], default: 'active', required: true },
    givenName: String,
    familyName: String,
    documentType: { type: String, enum: DOCUMENT_TYPES },
    documentNumber: String,
    sex: { type: String, enum: SEXES },
    genderIdentity: String,
    birthDate: Date,
    /** Kept when the birth date is erased, so aggregate statistics keep their counts. */
    ageBand: String,
    phone: String,
    departmentCode: String,
    municipalityCode: String,
    organization: String,
    position: String,
    actorType: { type: String, enum: ACTOR_TYPES },
    ethnicGroup: { type: String, enum: ETHNIC_GROUPS },
    disability: { type: String, enum: DISABILITY_ANSWERS },
    migrationStatus: { type: String, enum: MIGRATION_STATUSES },
    consents: { type: [consentSchema], default: [] },
    /** Language for mails: the one they registered in. */
    locale: { type: String, enum: ['es', 'en'], default: 'es' },
    emailVerifiedAt: Date,
    /** Registered, welcome verification mail not yet queued: a crash in between is repaired from this mark. */
    welcomeMailPending: Boolean,
    lastLoginAt: Date,
    deactivatedAt: Date,
    deletedAt: Date,
    /** Set on accounts created by one CSV import, so a failed import can be undone. */
    importBatch: String,
  },
  { timestamps: true, collection: 'users' },
);

// Uniqueness by index, never check-then-insert. Sparse: an anonymised account has no
// email and no document, and must not collide with another one.
userSchema.index({ email: 1 }, { unique: true, sparse: true });
userSchema.index({ documentType: 1, documentNumber: 1 }, { unique: true, sparse: true });
userSchema.index({ roles: 1 });
userSchema.index({ familyName: 1, givenName: 1 });
userSchema.index({ importBatch: 1 }, { sparse: true });
userSchema.index({ welcomeMailPending: 1 }, { sparse: true });

export type UserRecord = InferSchemaType<typeof userSchema> & { _id: import('mongoose').Types.ObjectId };
export type UserModel = Model<InferSchemaType<typeof userSchema>>;

export function userModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model('User', userSchema);
}

import { Schema, type Connection, type Types } from 'mongoose';

/**
 * The institution's facts, one document (`_id: 'institution'`) in the `settings`
 * collection. `name` and `city` are absent until an administrator sets them, so the
 * defaults (INSTITUTION_NAME, Bogotá) apply until then and a change of INSTITUTION_NAME
 * still shows where nobody chose a name. Every write is an upsert on the fixed id:
 * there is never a second document to choose from.
 */
export const INSTITUTION_ID = 'institution';

export interface StoredLogo {
  contentType: 'image/png' | 'image/jpeg';
  data: Buffer;
  updatedAt: Date;
}

export interface StoredInstitution {
  _id: typeof INSTITUTION_ID;
  name?: string;
  city?: string;
  logo: StoredLogo | null;
  updatedAt: Date;
  updatedBy: Types.ObjectId | null;
}

const logoSchema = new Schema(
  {
    contentType: { type: String, enum: ['image/png', 'image/jpeg'], required: true },
    data: { type: Buffer, required: true },
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

const institutionSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String },
    city: { type: String },
    logo: { type: logoSchema, default: null },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'settings', versionKey: false },
);

const compile = (connection: Connection) => connection.model('InstitutionSettings', institutionSchema);

export type InstitutionModel = ReturnType<typeof compile>;

export function institutionModel(connection: Connection): InstitutionModel {
  return (connection.models.InstitutionSettings as InstitutionModel | undefined) ?? compile(connection);
}

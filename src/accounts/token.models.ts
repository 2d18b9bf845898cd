import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Secrets given to people are stored only as SHA-256 hashes: API bearer tokens, and
 * the single-use links for email verification and password reset. Each expires by a
 * TTL index; revocation and use are recorded rather than deleted, for the audit trail.
 */
const apiTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: Date,
    lastUsedAt: Date,
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'api_tokens' },
);
apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
apiTokenSchema.index({ userId: 1 });
apiTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

const accountTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, enum: ['verify_email', 'reset_password'], required: true },
    expiresAt: { type: Date, required: true },
    usedAt: Date,
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'account_tokens' },
);
accountTokenSchema.index({ tokenHash: 1 }, { unique: true });
accountTokenSchema.index({ userId: 1, purpose: 1 });
accountTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type ApiTokenModel = Model<InferSchemaType<typeof apiTokenSchema>>;
export type AccountTokenModel = Model<InferSchemaType<typeof accountTokenSchema>>;

export function apiTokenModel(connection: Connection): ApiTokenModel {
  return (connection.models.ApiToken as ApiTokenModel | undefined) ?? connection.model('ApiToken', apiTokenSchema);
}

export function accountTokenModel(connection: Connection): AccountTokenModel {
  return (connection.models.AccountToken as AccountTokenModel | undefined) ?? connection.model('AccountToken', accountTokenSchema);
}

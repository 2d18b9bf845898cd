import type { Document, ObjectId } from 'mongodb';

/**
 * A loosely typed document for engine tests, whose `_id` may be a number, a string or a
 * sub-document as well as an ObjectId (the driver's default typing assumes ObjectId).
 */
export interface TestDocument extends Document {
  _id?: number | string | ObjectId | Document;
}

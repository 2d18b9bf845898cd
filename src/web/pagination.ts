import { z } from 'zod';

/** `?limit=` (default 50, at most 500) and `?cursor=` (API.md, "Conventions"). */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

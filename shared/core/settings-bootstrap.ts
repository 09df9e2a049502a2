/** @module The settings of the set-up from an empty Plane (`npm run job -- bootstrap`), placed in settings.ts's list. */
import * as z from 'zod'

const email = z
  .string()
  .trim()
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address')

export const BOOTSTRAP_SETTINGS = {
  PLANE_ADMIN_EMAIL: {
    schema: email.optional(),
    doc: "The human's Plane account (AUTH-02), for `npm run job -- bootstrap`: on a Plane just installed it becomes the instance admin and the workspace's owner; on one already set up, bootstrap signs in with it (an Admin of the workspace).",
  },
  PLANE_ADMIN_PASSWORD: {
    schema: z.string().min(1).optional(),
    secret: true,
    doc: 'The password of `PLANE_ADMIN_EMAIL` in Plane (Plane refuses a weak one: its zxcvbn score must be 3 or more). Only `bootstrap` reads it.',
  },
  PLANE_BRIDGE_EMAIL: {
    schema: email.optional(),
    defaultText: '`plane-bridge@` and the domain of `PLANE_ADMIN_EMAIL`',
    doc: "The Plane account `bootstrap` makes for the bridge itself (workspace Admin): `PLANE_API_KEY` is its key, so the bridge's writes are its own, never the human's.",
  },
  BOOTSTRAP_SECRETS_FILE: {
    schema: z.string().trim().min(1).default('secrets.env'),
    defaultText: '`secrets.env` (the image: `/app/secrets/secrets.env`)',
    doc: "Where `bootstrap` writes each secret it makes, as `.env` lines (mode 0600, one atomic write per secret): `PLANE_API_KEY`, the agents' keys under their `planeTokenEnv`, `PLANE_WEBHOOK_SECRET`, and the `BOOTSTRAP_*` lines it needs to sign in again. The runtime reads it after `.env` when it exists: its values fill what the environment leaves unset or empty and take the place of `.env`'s (its `BOOTSTRAP_*` lines stay in the file).",
  },
}

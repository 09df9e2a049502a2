/** @module The mark on what the bridge writes to Plane, by which a webhook about it is known as the bridge's own echo. */

/** Comments and items the bridge writes carry this `external_source`; webhooks about them are the bridge's own echo. */
export const BRIDGE_EXTERNAL_SOURCE = 'plane-bridge'

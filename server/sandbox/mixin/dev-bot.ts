/**
 * Public development keys for the broker bot that `npm start` runs against the sandbox's Mixin.
 * They exist only in this repository: never fund a real bot with them.
 */
export const DEV_BROKER_BOT = {
  app_id: '73844e1f-b46b-43c7-b655-ee73c67b7d2a',
  session_id: 'abdb4c30-91e5-49b5-842b-ea3a27402e47',
  session_private_key: '3f565a58af91be9eb3060bc1ac816577ca70b171e50d93f4c8a62c7a88ace504',
  /** Public half of the session key; the sandbox checks JWTs with it. */
  session_public_key: 'cc9b90fbaf7da3fc91c211d228a799eefe3d361ff7220e0f04246bc184072387',
  server_public_key: '57bbc994b9ce5d2e7afd9d1de942b2325bab300a151816fda0bf1880275c3d0e',
  /** A TIP PIN key (64 hex), the format the SDK sends as it is (server/mixin/pin.ts). */
  pin: '55c15a83bd987e2b537610400bf718f62bc559a7f9ffb3f5f82f72b550c5cef9',
} as const;

/** Seed of the sandbox's own server key (the private half of `server_public_key`). */
export const DEV_SERVER_PRIVATE_SEED = '5ec08138b675e5368105ee1c0aea4409fd994d20907d48cda54365a05b57dfea';

/** The Mixin user id the sandbox's "MixPay" bot uses (the `opponent_id` MixPay sends). */
export const DEV_MIXPAY_BOT_ID = '21627808-77a3-4003-96fa-d8e57f66a724';

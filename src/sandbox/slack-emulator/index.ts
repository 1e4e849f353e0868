/** The Slack emulator: an in-process Slack for the sandbox (`npm start` without credentials) and e2e tests. */
export { validateAttachmentBlocks, validateBlocks, validateView } from "./block-kit-limits.ts";
export type { RecordedDelivery, Transport } from "./delivery-router.ts";
export {
  type BotMessageInput,
  type InteractionResult,
  type PostedResult,
  SlackEmulator,
  type SlackEmulatorOptions,
  type SlashCommandResult,
  type ViewSubmissionResult,
} from "./emulator.ts";
export { slackSignature } from "./http-delivery.ts";
export type { MethodHold } from "./method-hold.ts";
export type { ActionChoice, AppIdentity } from "./payloads.ts";
export type { RateLimitConfig } from "./rate-limit.ts";
export {
  type ChannelSeed,
  DEFAULT_CHANNELS,
  DEFAULT_USERGROUPS,
  DEFAULT_USERS,
  type MessageChange,
  type MessagePredicate,
  SlackState,
  type UserSeed,
} from "./state.ts";
export type * from "./types.ts";
export { clientSideErrors, ViewSubmissionRefused } from "./view-client-checks.ts";
export { SUPPORTED_METHODS } from "./web-api.ts";

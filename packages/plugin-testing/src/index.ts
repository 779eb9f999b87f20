/*
 * @aleph/testing: the test kit for Aleph plugins. Everything here runs the real kernel
 * (@aleph/kernel, a dependency of this package) in-process; nothing is mocked.
 */
export {
  createTestKernel,
  type TestKernel,
  type TestKernelOptions,
  type TestPlugin,
  type RecordedEvent,
  type EventRecord,
  type PayloadOf,
} from "./test-kernel.js";
export {
  runPluginConformance,
  assertPluginConformance,
  type ConformanceCheck,
  type ConformanceOptions,
  type ConformanceResult,
} from "./conformance.js";
export { runAndKill, type KillTestOptions } from "./run-and-kill.js";
export { readPluginManifest } from "./read-manifest.js";
export {
  startFakeModelServer,
  type FakeModelServer,
  type FakeModelScript,
  type FakeModelRequest,
  type FakeModelRoute,
  type FakeModelProtocol,
  type FakeTurn,
  type FakeReplyTurn,
  type FakeErrorTurn,
  type FakeEmbeddingsTurn,
  type FakeRawTurn,
  type FakeReplyContent,
  type FakeToolCall,
  type FakeUsage,
} from "./fake-model-server.js";
export {
  startFakeTelegramServer,
  type FakeTelegramServer,
  type FakeTelegramOptions,
  type FakeTelegramUserMessage,
  type FakeTelegramRequest,
  type FakeTelegramSentMessage,
  type FakeTelegramChatAction,
  type FakeTelegramFailure,
  type FakeTelegramBotCommand,
  type FakeTelegramHandler,
  type TelegramBotUser,
  type TelegramChat,
  type TelegramChatType,
  type TelegramMessage,
  type TelegramMessageEntity,
  type TelegramResponseParameters,
  type TelegramUpdate,
  type TelegramUser,
} from "./fake-telegram-server.js";
export {
  startFakeDiscordServer,
  type FakeDiscordServer,
  type FakeDiscordServerOptions,
  type FakeDiscordUserMessage,
  type FakeDiscordMessage,
  type FakeDiscordMessageReference,
  type FakeDiscordAttachment,
  type FakeDiscordUser,
  type FakeDiscordUserInput,
  type FakeDiscordGuild,
  type FakeDiscordGuildInput,
  type FakeDiscordChannel,
  type FakeDiscordSentMessage,
  type FakeDiscordReaction,
  type FakeDiscordRequest,
  type FakeDiscordFailure,
  type FakeDiscordRouteMatcher,
  type FakeDiscordDispatch,
  type FakeDiscordSession,
  type FakeDiscordConnection,
  type FakeDiscordGatewayFrame,
} from "./fake-discord-server.js";
// Kept in the SDK (the kernel's own tests use it, and the kernel cannot depend on this kit).
export { useLowVaultKdfCost } from "@aleph/plugin-sdk/testing";

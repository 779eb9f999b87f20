/*
 * The shapes the fake Discord server speaks (API v10, as discord-api-types describes them), and
 * the world both of its halves share: users, guilds, channels and messages. No dependency on
 * discord-api-types: the kit ships without it, and the field names below are the wire's own.
 */

/** Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
} as const;

/** Gateway close codes, with the reasons Discord gives. */
export const Close = {
  UnknownError: [4000, "Unknown error."],
  UnknownOpcode: [4001, "Unknown opcode."],
  DecodeError: [4002, "Error while decoding payload."],
  NotAuthenticated: [4003, "Not authenticated."],
  AuthenticationFailed: [4004, "Authentication failed."],
  AlreadyAuthenticated: [4005, "Already authenticated."],
  InvalidSeq: [4007, "Invalid seq."],
  RateLimited: [4008, "Rate limited."],
  SessionTimedOut: [4009, "Session timed out."],
  InvalidShard: [4010, "Invalid shard."],
  InvalidApiVersion: [4012, "Invalid API version."],
  InvalidIntents: [4013, "Invalid intent(s)."],
  DisallowedIntents: [4014, "Disallowed intent(s)."],
} as const satisfies Record<string, readonly [number, string]>;

/** The gateway intents (1 << n) the fake routes events by. */
export const Intents = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

/** Every intent bit Discord defines; anything else in IDENTIFY closes the connection with 4013. */
export const ALL_INTENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 21, 24, 25].reduce((all, bit) => all | (1 << bit), 0);
/** The privileged intents (enabled per app in the Developer Portal): GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT. */
export const PRIVILEGED_INTENTS = Intents.GuildMembers | Intents.GuildPresences | Intents.MessageContent;

export const ChannelType = { GuildText: 0, DM: 1 } as const;
export const MessageType = { Default: 0, Reply: 19 } as const;

/** The API version the fake speaks, at `/api/v10/…` and `?v=10` on the gateway. */
export const API_VERSION = 10;
export const MAX_CONTENT_LENGTH = 2000;

/** A Discord user object (https://discord.com/developers/docs/resources/user#user-object). */
export interface FakeDiscordUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
  public_flags?: number;
  [field: string]: unknown;
}

/** A user as a test names one: the rest of the user object is filled in. */
export interface FakeDiscordUserInput {
  id: string;
  username: string;
  globalName?: string | null;
  bot?: boolean;
}

export interface FakeDiscordChannel {
  id: string;
  type: number;
  name?: string;
  guild_id?: string;
  /** DM channels: the other user. */
  recipients?: FakeDiscordUser[];
  [field: string]: unknown;
}

export interface FakeDiscordGuild {
  id: string;
  name: string;
  channels: FakeDiscordChannel[];
}

export interface FakeDiscordGuildInput {
  id?: string;
  name?: string;
  /** Text channels; default one, `general`. */
  channels?: { id?: string; name: string }[];
}

export interface FakeDiscordAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  [field: string]: unknown;
}

export interface FakeDiscordMessageReference {
  type?: number;
  message_id?: string;
  channel_id?: string;
  guild_id?: string;
  fail_if_not_exists?: boolean;
}

/** A message object, as MESSAGE_CREATE carries it (REST answers leave out `guild_id` and `member`). */
export interface FakeDiscordMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeDiscordUser;
  member?: Record<string, unknown>;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: (FakeDiscordUser & { member?: Record<string, unknown> })[];
  mention_roles: string[];
  attachments: FakeDiscordAttachment[];
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  pinned: boolean;
  type: number;
  flags: number;
  nonce?: string | number;
  message_reference?: FakeDiscordMessageReference;
  referenced_message?: FakeDiscordMessage | null;
  [field: string]: unknown;
}

/** Discord's epoch (2015-01-01T00:00:00Z), the zero of snowflake timestamps. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/** Snowflakes that grow with time, as Discord's do (timestamp << 22 | increment). */
export function snowflakes(): () => string {
  let lastMs = 0n;
  let increment = 0n;
  return () => {
    let ms = BigInt(Date.now()) - DISCORD_EPOCH;
    if (ms <= lastMs) {
      ms = lastMs;
      increment += 1n;
      if (increment > 0xfffn) {
        ms += 1n;
        increment = 0n;
      }
    } else increment = 0n;
    lastMs = ms;
    return ((ms << 22n) | (1n << 17n) | (1n << 12n) | increment).toString();
  };
}

export function isSnowflake(value: unknown): value is string {
  return typeof value === "string" && /^\d{1,20}$/.test(value);
}

/** `2024-05-01T12:00:00.123000+00:00`, the form Discord writes timestamps in. */
export function discordTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

export function userObject(input: FakeDiscordUserInput): FakeDiscordUser {
  const user: FakeDiscordUser = {
    id: input.id,
    username: input.username,
    discriminator: input.bot ? "0000" : "0",
    global_name: input.globalName === undefined ? (input.bot ? null : input.username) : input.globalName,
    avatar: null,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
  if (input.bot) user.bot = true;
  return user;
}

export function textChannel(id: string, name: string, guildId: string, position: number): FakeDiscordChannel {
  return {
    id,
    type: ChannelType.GuildText,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: [],
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

export function dmChannel(id: string, recipient: FakeDiscordUser): FakeDiscordChannel {
  return { id, type: ChannelType.DM, last_message_id: null, flags: 0, recipients: [recipient] };
}

/** A guild member without its user, as MESSAGE_CREATE's `member` and mentions' `member` carry it. */
export function memberObject(joinedAt: string): Record<string, unknown> {
  return { roles: [], joined_at: joinedAt, deaf: false, mute: false, flags: 0, pending: false, premium_since: null, nick: null, avatar: null, banner: null, communication_disabled_until: null };
}

/** The GUILD_CREATE payload for a guild the bot is in: the guild, its channels, the bot as its one member. */
export function guildCreateObject(guild: FakeDiscordGuild, bot: FakeDiscordUser, joinedAt: string): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: "1",
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: "en-US",
    system_channel_id: guild.channels[0]?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    application_id: null,
    features: [],
    roles: [{ id: guild.id, name: "@everyone", color: 0, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: "1071698660929", managed: false, mentionable: false, flags: 0 }],
    emojis: [],
    stickers: [],
    // In GUILD_CREATE the channels carry no guild_id.
    channels: guild.channels.map(({ guild_id: _guildId, ...channel }) => channel),
    threads: [],
    members: [{ user: bot, ...memberObject(joinedAt) }],
    member_count: 1,
    joined_at: joinedAt,
    large: false,
    unavailable: false,
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** The JSON error body of an HTTP error: `{ message, code }` plus, for form errors, `errors`. */
export function apiError(code: number, message: string, errors?: Record<string, unknown>): Record<string, unknown> {
  return errors ? { message, code, errors } : { message, code };
}

/** 50035 Invalid Form Body with one field error, nested the way Discord nests them. */
export function formError(field: string, code: string, message: string): Record<string, unknown> {
  return apiError(50035, "Invalid Form Body", { [field]: { _errors: [{ code, message }] } });
}

/** A message with what a session without MESSAGE_CONTENT may not see emptied (guild messages not by nor mentioning the bot). */
export function withoutContent(message: FakeDiscordMessage, botId: string): FakeDiscordMessage {
  if (!message.guild_id || message.author.id === botId || message.mentions.some((user) => user.id === botId)) return message;
  const { poll: _poll, ...rest } = message;
  const emptied: FakeDiscordMessage = { ...rest, content: "", embeds: [], attachments: [], components: [] };
  if (message.referenced_message) emptied.referenced_message = withoutContent(message.referenced_message, botId);
  return emptied;
}

import {
  ChannelType,
  MessageType,
  discordTimestamp,
  dmChannel,
  memberObject,
  snowflakes,
  textChannel,
  userObject,
  type FakeDiscordAttachment,
  type FakeDiscordChannel,
  type FakeDiscordGuild,
  type FakeDiscordGuildInput,
  type FakeDiscordMessage,
  type FakeDiscordUser,
  type FakeDiscordUserInput,
} from "./fake-discord-wire.js";

/** Fixed ids for the defaults, so a test can write them down; every id made later is a fresh snowflake. */
export const DEFAULT_BOT_ID = "1190000000000000001";
export const DEFAULT_GUILD_ID = "1190000000000000100";
export const DEFAULT_CHANNEL_ID = "1190000000000000101";
export const DEFAULT_USER: FakeDiscordUserInput = { id: "1190000000000000200", username: "alice" };

export interface NewMessage {
  channelId: string;
  author: FakeDiscordUser;
  content: string;
  embeds?: Record<string, unknown>[];
  attachments?: FakeDiscordAttachment[];
  components?: Record<string, unknown>[];
  tts?: boolean;
  nonce?: string | number;
  flags?: number;
  /** A message in the same channel this one replies to. */
  replyTo?: FakeDiscordMessage;
  /** Whether the reply pings the replied-to author (Discord's default, `allowed_mentions.replied_user`). */
  replyPing?: boolean;
}

/**
 * What the fake Discord knows: the bot, the users it has seen, the guilds the bot is in with their
 * channels, the DM channels, and every message. REST and the gateway read and write the same world.
 */
export class DiscordWorld {
  readonly nextId = snowflakes();
  readonly bot: FakeDiscordUser;
  readonly applicationId: string;
  readonly guilds: FakeDiscordGuild[];
  /** When the bot "joined" its guilds: the server's start. */
  readonly joinedAt = discordTimestamp();
  readonly users = new Map<string, FakeDiscordUser>();
  readonly channels = new Map<string, FakeDiscordChannel>();
  /** Every message, in the full form MESSAGE_CREATE carries. */
  readonly messages = new Map<string, FakeDiscordMessage>();
  private readonly dmByUser = new Map<string, string>();

  constructor(botUser: Partial<FakeDiscordUserInput> | undefined, applicationId: string | undefined, guilds: FakeDiscordGuildInput[] | undefined) {
    this.bot = userObject({ id: botUser?.id ?? DEFAULT_BOT_ID, username: botUser?.username ?? "aleph-test-bot", globalName: botUser?.globalName ?? null, bot: true });
    this.users.set(this.bot.id, this.bot);
    this.applicationId = applicationId ?? this.bot.id;
    const inputs = guilds ?? [{ id: DEFAULT_GUILD_ID, name: "Aleph Test Guild", channels: [{ id: DEFAULT_CHANNEL_ID, name: "general" }] }];
    this.guilds = inputs.map((input) => {
      const id = input.id ?? this.nextId();
      const channels = (input.channels ?? [{ name: "general" }]).map((channel, position) => textChannel(channel.id ?? this.nextId(), channel.name, id, position));
      for (const channel of channels) this.channels.set(channel.id, channel);
      return { id, name: input.name ?? `Guild ${id}`, channels };
    });
  }

  guild(id: string): FakeDiscordGuild | undefined {
    return this.guilds.find((guild) => guild.id === id);
  }

  /** Adds (or refreshes) a user the fake has seen, e.g. a message's author. */
  rememberUser(input: FakeDiscordUserInput): FakeDiscordUser {
    if (input.id === this.bot.id) return this.bot;
    const user = userObject(input);
    this.users.set(user.id, user);
    return user;
  }

  /** The one DM channel between the bot and this user, opened on first use (optionally with a given id). */
  dmChannelFor(user: FakeDiscordUser, id?: string): FakeDiscordChannel {
    const existing = this.dmByUser.get(user.id);
    if (existing) {
      if (id !== undefined && id !== existing) throw new Error(`fake Discord server: user ${user.id} already has DM channel ${existing}; Discord keeps one DM channel per user, so channel ${id} cannot be another`);
      return this.channels.get(existing)!;
    }
    const channel = dmChannel(id ?? this.nextId(), user);
    this.channels.set(channel.id, channel);
    this.dmByUser.set(user.id, channel.id);
    return channel;
  }

  /** Adds a text channel to a guild the bot is in (a test naming a channel the options did not). */
  addGuildChannel(guild: FakeDiscordGuild, id: string): FakeDiscordChannel {
    const channel = textChannel(id, `channel-${id}`, guild.id, guild.channels.length);
    guild.channels.push(channel);
    this.channels.set(id, channel);
    return channel;
  }

  /** Builds, stores and returns a message (the full gateway form; `restMessage` strips it for REST). */
  createMessage(input: NewMessage): FakeDiscordMessage {
    const channel = this.channels.get(input.channelId);
    if (!channel) throw new Error(`fake Discord server: unknown channel ${input.channelId}`);
    const guildId = channel.type === ChannelType.DM ? undefined : channel.guild_id;
    const mentions = this.mentionsIn(input.content, guildId);
    const reply = input.replyTo;
    if (reply && (input.replyPing ?? true) && reply.author.id !== input.author.id && !mentions.some((user) => user.id === reply.author.id)) {
      mentions.push(this.mentionOf(reply.author, guildId));
    }
    const message: FakeDiscordMessage = {
      id: this.nextId(),
      channel_id: channel.id,
      ...(guildId ? { guild_id: guildId } : {}),
      author: input.author,
      ...(guildId ? { member: memberObject(this.joinedAt) } : {}),
      content: input.content,
      timestamp: discordTimestamp(),
      edited_timestamp: null,
      tts: input.tts ?? false,
      mention_everyone: /@(everyone|here)\b/.test(input.content),
      mentions,
      mention_roles: [...input.content.matchAll(/<@&(\d+)>/g)].map((match) => match[1]!),
      attachments: input.attachments ?? [],
      embeds: input.embeds ?? [],
      components: input.components ?? [],
      pinned: false,
      type: reply ? MessageType.Reply : MessageType.Default,
      flags: input.flags ?? 0,
      ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    };
    if (reply) {
      message.message_reference = { type: 0, channel_id: reply.channel_id, message_id: reply.id, ...(reply.guild_id ? { guild_id: reply.guild_id } : {}) };
      message.referenced_message = reply;
    }
    this.messages.set(message.id, message);
    channel.last_message_id = message.id;
    return message;
  }

  /** The users `<@id>` / `<@!id>` in the content name, as far as the fake knows them. */
  private mentionsIn(content: string, guildId: string | undefined): FakeDiscordMessage["mentions"] {
    const ids = new Set([...content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1]!));
    return [...ids].flatMap((id) => {
      const user = this.users.get(id);
      return user ? [this.mentionOf(user, guildId)] : [];
    });
  }

  private mentionOf(user: FakeDiscordUser, guildId: string | undefined): FakeDiscordMessage["mentions"][number] {
    return guildId ? { ...user, member: memberObject(this.joinedAt) } : { ...user };
  }
}

/** A message as REST answers with it: no `guild_id`, no `member` (those are gateway extra fields). */
export function restMessage(message: FakeDiscordMessage): FakeDiscordMessage {
  const { guild_id: _guildId, member: _member, ...rest } = message;
  const out = rest as FakeDiscordMessage;
  out.mentions = message.mentions.map(({ member: _m, ...user }) => user);
  if (message.referenced_message) out.referenced_message = restMessage(message.referenced_message);
  return out;
}

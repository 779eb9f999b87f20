/*
 * The Telegram Bot API's objects and its text rules, for the fake Telegram server: the shapes a
 * client reads (User, Chat, Message, MessageEntity, Update), the parse modes (HTML, MarkdownV2 and
 * legacy Markdown, ported from TDLib's parsers with their error messages), the entities Telegram
 * finds in plain text (mentions, bot commands, hashtags, cashtags, URLs, e-mail addresses), and the
 * trimming and length limits it applies before it sends a message.
 */

/** A Telegram user or bot, as the Bot API sends it. */
export interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: true;
}

/** What `getMe` returns: the bot itself, with the fields only `getMe` has. */
export interface TelegramBotUser extends TelegramUser {
  is_bot: true;
  username: string;
  can_join_groups: boolean;
  can_read_all_group_messages: boolean;
  supports_inline_queries: boolean;
  supports_guest_queries: boolean;
  can_connect_to_business: boolean;
  has_main_web_app: boolean;
  has_topics_enabled: boolean;
  allows_users_to_create_topics: boolean;
  can_manage_bots: boolean;
}

export type TelegramChatType = "private" | "group" | "supergroup" | "channel";

export interface TelegramChat {
  id: number;
  type: TelegramChatType;
  /** Groups, supergroups and channels. */
  title?: string;
  /** Private chats, supergroups and channels that have one. */
  username?: string;
  /** Private chats. */
  first_name?: string;
  last_name?: string;
  /** A supergroup with topics. */
  is_forum?: true;
}

export interface TelegramMessageEntity {
  /** `mention`, `hashtag`, `cashtag`, `bot_command`, `url`, `email`, `bold`, `italic`, `underline`, `strikethrough`, `spoiler`, `blockquote`, `expandable_blockquote`, `code`, `pre`, `text_link`, `text_mention`, `custom_emoji`, … */
  type: string;
  /** In UTF-16 code units, as JavaScript counts string indices. */
  offset: number;
  length: number;
  url?: string;
  user?: TelegramUser;
  language?: string;
  custom_emoji_id?: string;
}

export interface TelegramMessage {
  message_id: number;
  message_thread_id?: number;
  from?: TelegramUser;
  sender_chat?: TelegramChat;
  date: number;
  chat: TelegramChat;
  edit_date?: number;
  is_topic_message?: true;
  /** The message replied to; it never carries a `reply_to_message` of its own. */
  reply_to_message?: TelegramMessage;
  text?: string;
  entities?: TelegramMessageEntity[];
  reply_markup?: unknown;
  [field: string]: unknown;
}

/** One update: `update_id` and exactly one of the optional fields (`message`, `edited_message`, `callback_query`, …). */
export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  edited_message?: TelegramMessage;
  channel_post?: TelegramMessage;
  edited_channel_post?: TelegramMessage;
  callback_query?: Record<string, unknown>;
  my_chat_member?: Record<string, unknown>;
  [type: string]: unknown;
}

export interface TelegramResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** An answer `{ ok: false, error_code, description, parameters? }`, thrown inside the fake and sent as it is. */
export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: TelegramResponseParameters,
  ) {
    super(description);
    this.name = "TelegramApiError";
  }
}

export const badRequest = (what: string) => new TelegramApiError(400, `Bad Request: ${what}`);

/** Text with its entities, as Telegram stores a message's text. */
export interface FormattedText {
  text: string;
  entities: TelegramMessageEntity[];
}

/** The longest text of a message, in Unicode code points after the parse mode is applied. */
export const MAX_MESSAGE_LENGTH = 4096;
/** The longest `text` parameter the Bot API reads at all, in UTF-8 bytes, before any parsing. */
const MAX_TEXT_PARAMETER_BYTES = 1 << 15;

/**
 * The text of a `sendMessage` / `editMessageText` call as Telegram makes it: the parse mode (or the
 * explicit `entities`) applied, the entities Telegram finds added, surrounding white space trimmed,
 * and the empty / too-long rules checked — each failure the `Bad Request` Telegram answers.
 */
export function messageText(
  rawText: string | undefined,
  parseMode: string | undefined,
  explicitEntities: unknown,
  findUser: (id: number) => TelegramUser | undefined,
): FormattedText {
  if (rawText === undefined || rawText === "") throw badRequest("message text is empty");
  if (Buffer.byteLength(rawText) > MAX_TEXT_PARAMETER_BYTES) throw badRequest("text is too long");
  const parsed = formatText(rawText, parseMode, explicitEntities, findUser);
  const found = findEntities(parsed.text).filter((entity) => !parsed.entities.some((other) => OPAQUE.has(other.type) && overlaps(entity, other)));
  const trimmed = trim({ text: parsed.text, entities: sortEntities([...parsed.entities, ...found]) });
  if (trimmed.text === "") throw badRequest("message must be non-empty");
  if (codePoints(trimmed.text) > MAX_MESSAGE_LENGTH) throw badRequest("message is too long");
  return trimmed;
}

/** Entities inside which Telegram finds no URLs, mentions or commands. */
const OPAQUE = new Set(["code", "pre", "text_link", "text_mention", "custom_emoji"]);

function formatText(text: string, parseMode: string | undefined, explicitEntities: unknown, findUser: (id: number) => TelegramUser | undefined): FormattedText {
  const mode = (parseMode ?? "").toLowerCase();
  if (mode !== "" && mode !== "none") {
    try {
      if (mode === "html") return parseHtml(text, findUser);
      if (mode === "markdownv2") return parseMarkdownV2(text, findUser);
      if (mode === "markdown") return parseMarkdown(text, findUser);
    } catch (error) {
      if (error instanceof EntityParseError) throw badRequest(`can't parse entities: ${error.message}`);
      throw error;
    }
    throw badRequest("unsupported parse_mode");
  }
  if (explicitEntities === undefined || explicitEntities === null || explicitEntities === "") return { text, entities: [] };
  let list: unknown = explicitEntities;
  if (typeof list === "string") {
    try {
      list = JSON.parse(list);
    } catch {
      throw badRequest("can't parse entities JSON object");
    }
  }
  if (!Array.isArray(list)) return { text, entities: [] };
  const entities: TelegramMessageEntity[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) throw badRequest("can't parse MessageEntity: expected an Object");
    const entity = item as Record<string, unknown>;
    if (typeof entity.type !== "string") throw badRequest(`can't parse MessageEntity: Can't find field "type"`);
    if (typeof entity.offset !== "number") throw badRequest(`can't parse MessageEntity: Can't find field "offset"`);
    if (typeof entity.length !== "number") throw badRequest(`can't parse MessageEntity: Can't find field "length"`);
    entities.push({ ...(entity as unknown as TelegramMessageEntity) });
  }
  return { text, entities: sortEntities(entities.filter((entity) => entity.length > 0 && entity.offset >= 0 && entity.offset + entity.length <= text.length)) };
}

/** A parse-mode failure: TDLib's own message, sent as `Bad Request: can't parse entities: <message>`. */
class EntityParseError extends Error {}

const isSpace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\0" || c === "\v" || c === "\f";
const byteOffset = (text: string, index: number) => Buffer.byteLength(text.slice(0, index));

/** TDLib's names of entity types, as its parse errors print them. */
type TdEntityType = "Bold" | "Italic" | "Underline" | "Strikethrough" | "Spoiler" | "Code" | "Pre" | "PreCode" | "TextUrl" | "CustomEmoji" | "BlockQuote";

/** MarkdownV2, as TDLib's `parse_markdown_v2` reads it: every reserved character outside an entity must be escaped. */
function parseMarkdownV2(text: string, findUser: (id: number) => TelegramUser | undefined): FormattedText {
  const n = text.length;
  const ch = (k: number) => (k < n ? text[k]! : "\0");
  const escapable = (k: number) => k < n && text.charCodeAt(k) > 0 && text.charCodeAt(k) <= 126;
  const reservedError = (c: string) => new EntityParseError(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
  let out = "";
  const entities: TelegramMessageEntity[] = [];
  const nested: { type: TdEntityType; argument: string; offset: number; startIndex: number; beginPos: number }[] = [];
  let haveBlockquote = false;

  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === "\\" && escapable(i + 1)) {
      i++;
      out += text[i]!;
      continue;
    }
    const top = nested.at(-1);
    const reserved = top && (top.type === "Code" || top.type === "Pre" || top.type === "PreCode") ? "`" : "_*[]()~`>#+-=|{}.!\n";
    if (!reserved.includes(c)) {
      out += c;
      continue;
    }

    let isEnd = false;
    if (top) {
      if (haveBlockquote && c === "\n" && (i + 1 === n || text[i + 1] !== ">")) isEnd = true;
      else {
        switch (top.type) {
          case "Bold":
            isEnd = c === "*";
            break;
          case "Italic":
            isEnd = c === "_" && ch(i + 1) !== "_";
            break;
          case "Code":
            isEnd = c === "`";
            break;
          case "Pre":
          case "PreCode":
            isEnd = c === "`" && ch(i + 1) === "`" && ch(i + 2) === "`";
            break;
          case "TextUrl":
          case "CustomEmoji":
            isEnd = c === "]";
            break;
          case "Underline":
            isEnd = c === "_" && ch(i + 1) === "_";
            break;
          case "Strikethrough":
            isEnd = c === "~";
            break;
          case "Spoiler":
            isEnd = c === "|" && ch(i + 1) === "|";
            break;
          case "BlockQuote":
            isEnd = false;
            break;
        }
      }
    }

    if (!isEnd) {
      // The start of an entity.
      const startIndex = i;
      let type: TdEntityType | undefined;
      let argument = "";
      switch (c) {
        case "_":
          if (ch(i + 1) === "_") {
            type = "Underline";
            i++;
          } else type = "Italic";
          break;
        case "*":
          type = "Bold";
          break;
        case "~":
          type = "Strikethrough";
          break;
        case "|":
          if (ch(i + 1) !== "|") throw reservedError(c);
          i++;
          type = "Spoiler";
          break;
        case "[":
          type = "TextUrl";
          break;
        case "`":
          if (ch(i + 1) === "`" && ch(i + 2) === "`") {
            i += 3;
            type = "Pre";
            let languageEnd = i;
            while (!isSpace(ch(languageEnd)) && ch(languageEnd) !== "`") languageEnd++;
            if (i !== languageEnd && languageEnd < n && ch(languageEnd) !== "`") {
              type = "PreCode";
              argument = text.slice(i, languageEnd);
              i = languageEnd;
            }
            // One new line at the start of the block is skipped.
            if (ch(i) === "\n" || ch(i) === "\r") {
              if ((ch(i + 1) === "\n" || ch(i + 1) === "\r") && ch(i) !== ch(i + 1)) i += 2;
              else i++;
            }
            i--;
          } else type = "Code";
          break;
        case "!":
          if (ch(i + 1) !== "[") throw reservedError(c);
          i++;
          type = "CustomEmoji";
          break;
        case "\n":
          out += "\n";
          if (i + 1 < n && text[i + 1] === ">") {
            i++;
            if (!haveBlockquote) {
              type = "BlockQuote";
              haveBlockquote = true;
            }
          }
          break;
        case ">":
          if (i !== 0) throw reservedError(c);
          type = "BlockQuote";
          haveBlockquote = true;
          break;
        default:
          throw reservedError(c);
      }
      if (type === undefined) continue;
      nested.push({ type, argument, offset: out.length, startIndex, beginPos: out.length });
      continue;
    }

    // The end of an entity.
    const entity = nested.at(-1)!;
    if (c === "\n" && entity.type !== "BlockQuote") {
      throw new EntityParseError(`Can't find end of ${entity.type} entity at byte offset ${byteOffset(text, entity.startIndex)}`);
    }
    let skip = out.length === entity.offset;
    let made: Omit<TelegramMessageEntity, "offset" | "length"> | undefined;
    switch (entity.type) {
      case "Bold":
      case "Italic":
      case "Code":
      case "Strikethrough":
        break;
      case "Underline":
      case "Spoiler":
        i++;
        break;
      case "Pre":
      case "PreCode":
        i += 2;
        break;
      case "TextUrl": {
        let url = "";
        if (ch(i + 1) !== "(") url = out.slice(entity.beginPos);
        else {
          i += 2;
          const urlBegin = i;
          while (i < n && text[i] !== ")") {
            if (text[i] === "\\" && escapable(i + 1)) {
              url += text[i + 1]!;
              i += 2;
              continue;
            }
            url += text[i++]!;
          }
          if (ch(i) !== ")") throw new EntityParseError(`Can't find end of a URL at byte offset ${byteOffset(text, urlBegin)}`);
        }
        made = linkEntity(url, findUser);
        if (!made) skip = true;
        break;
      }
      case "CustomEmoji": {
        if (ch(i + 1) !== "(") throw new EntityParseError("Custom emoji entity must contain a tg://emoji URL");
        i += 2;
        const urlBegin = i;
        let url = "";
        while (i < n && text[i] !== ")") {
          if (text[i] === "\\" && escapable(i + 1)) {
            url += text[i + 1]!;
            i += 2;
            continue;
          }
          url += text[i++]!;
        }
        if (ch(i) !== ")") throw new EntityParseError(`Can't find end of a custom emoji URL at byte offset ${byteOffset(text, urlBegin)}`);
        made = { type: "custom_emoji", custom_emoji_id: customEmojiId(url) };
        break;
      }
      case "BlockQuote":
        haveBlockquote = false;
        out += c;
        break;
    }
    if (!skip) entities.push({ ...(made ?? kindOf(entity.type, entity.argument)), offset: entity.offset, length: out.length - entity.offset });
    nested.pop();
  }

  if (haveBlockquote && nested.at(-1)?.type === "BlockQuote") {
    const entity = nested.pop()!;
    if (out.length !== entity.offset) entities.push({ type: "blockquote", offset: entity.offset, length: out.length - entity.offset });
  }
  const open = nested.at(-1);
  if (open) throw new EntityParseError(`Can't find end of ${open.type} entity at byte offset ${byteOffset(text, open.startIndex)}`);
  return { text: out, entities: sortEntities(entities) };
}

function kindOf(type: TdEntityType, argument: string): Omit<TelegramMessageEntity, "offset" | "length"> {
  switch (type) {
    case "PreCode":
      return { type: "pre", language: argument };
    case "BlockQuote":
      return { type: "blockquote" };
    case "TextUrl":
      return { type: "text_link", url: argument };
    default:
      return { type: type.toLowerCase() };
  }
}

/** Legacy Markdown, as TDLib's `parse_markdown` reads it: `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ````, `[text](url)`. */
function parseMarkdown(text: string, findUser: (id: number) => TelegramUser | undefined): FormattedText {
  const n = text.length;
  const ch = (k: number) => (k < n ? text[k]! : "\0");
  let out = "";
  const entities: TelegramMessageEntity[] = [];
  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === "\\" && "_*`[".includes(ch(i + 1)) && i + 1 < n) {
      i++;
      out += text[i]!;
      continue;
    }
    if (!"_*`[".includes(c)) {
      out += c;
      continue;
    }
    const beginPos = i;
    const endCharacter = c === "[" ? "]" : c;
    let isPre = false;
    i++;
    let language = "";
    if (c === "`" && ch(i) === "`" && ch(i + 1) === "`") {
      i += 2;
      isPre = true;
      let languageEnd = i;
      while (!isSpace(ch(languageEnd)) && ch(languageEnd) !== "`") languageEnd++;
      if (i !== languageEnd && languageEnd < n && ch(languageEnd) !== "`") {
        language = text.slice(i, languageEnd);
        i = languageEnd;
      }
      if (ch(i) === "\n" || ch(i) === "\r") {
        if ((ch(i + 1) === "\n" || ch(i + 1) === "\r") && ch(i) !== ch(i + 1)) i += 2;
        else i++;
      }
    }
    const entityOffset = out.length;
    while (i < n && (text[i] !== endCharacter || (isPre && !(ch(i + 1) === "`" && ch(i + 2) === "`")))) out += text[i++]!;
    if (i >= n) throw new EntityParseError(`Can't find end of the entity starting at byte offset ${byteOffset(text, beginPos)}`);
    if (entityOffset !== out.length) {
      const length = out.length - entityOffset;
      if (c === "_") entities.push({ type: "italic", offset: entityOffset, length });
      else if (c === "*") entities.push({ type: "bold", offset: entityOffset, length });
      else if (c === "`") entities.push(isPre ? (language ? { type: "pre", offset: entityOffset, length, language } : { type: "pre", offset: entityOffset, length }) : { type: "code", offset: entityOffset, length });
      else {
        let url = "";
        if (ch(i + 1) !== "(") url = text.slice(beginPos + 1, i);
        else {
          i += 2;
          while (i < n && text[i] !== ")") url += text[i++]!;
        }
        const link = linkEntity(url, findUser);
        if (link) entities.push({ ...link, offset: entityOffset, length });
      }
    }
    if (isPre) i += 2;
  }
  return { text: out, entities: sortEntities(entities) };
}

const HTML_TAGS = new Set(["a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote"]);

/** HTML, as TDLib's `parse_html` reads it: only Telegram's tags, `&lt; &gt; &amp; &quot;` and numeric references. */

/** HTML tags that map to an entity with nothing more than its type (Bot API "HTML style"). */
const PLAIN_HTML_ENTITIES: Record<string, TelegramMessageEntity["type"]> = {
  i: "italic",
  em: "italic",
  b: "bold",
  strong: "bold",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  u: "underline",
  ins: "underline",
  "tg-spoiler": "spoiler",
  span: "spoiler",
};

function parseHtml(text: string, findUser: (id: number) => TelegramUser | undefined): FormattedText {
  const n = text.length;
  const ch = (k: number) => (k < n ? text[k]! : "\0");
  const at = (index: number) => byteOffset(text, index);
  let out = "";
  const entities: TelegramMessageEntity[] = [];
  const nested: { tag: string; argument: string; expandable: boolean; offset: number; beginPos: number }[] = [];

  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === "&") {
      const decoded = decodeHtmlEntity(text, i);
      if (decoded) {
        out += String.fromCodePoint(decoded.code);
        i = decoded.end - 1;
        continue;
      }
    }
    if (c !== "<") {
      out += c;
      continue;
    }

    const beginPos = i++;
    if (ch(i) !== "/") {
      // A start tag.
      while (!isSpace(ch(i)) && ch(i) !== ">") i++;
      if (i >= n) throw new EntityParseError(`Unclosed start tag at byte offset ${at(beginPos)}`);
      const tag = text.slice(beginPos + 1, i).toLowerCase();
      if (!HTML_TAGS.has(tag)) throw new EntityParseError(`Unsupported start tag "${tag}" at byte offset ${at(beginPos)}`);

      let argument = "";
      let expandable = false;
      while (ch(i) !== ">") {
        while (i < n && isSpace(ch(i))) i++;
        if (ch(i) === ">") break;
        const attributeBegin = i;
        while (!isSpace(ch(i)) && ch(i) !== "=" && !(tag === "blockquote" && ch(i) === ">")) i++;
        const attribute = text.slice(attributeBegin, i);
        if (attribute === "") throw new EntityParseError(`Empty attribute name in the tag "${tag}" at byte offset ${at(beginPos)}`);
        while (i < n && isSpace(ch(i))) i++;
        if (tag === "blockquote" && attribute === "expandable" && ch(i) !== "=") {
          // `<blockquote expandable>`: the one attribute without a value.
          expandable = true;
          continue;
        }
        if (ch(i) !== "=") throw new EntityParseError(`Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${at(beginPos)}`);
        i++;
        while (i < n && isSpace(ch(i))) i++;
        if (i >= n) throw new EntityParseError(`Unclosed start tag "${tag}" at byte offset ${at(beginPos)}`);

        let value = "";
        if (ch(i) !== "'" && ch(i) !== '"') {
          // A name token: letters, digits, periods and hyphens, not case-sensitive.
          const tokenBegin = i;
          while (/[A-Za-z0-9.-]/.test(ch(i))) i++;
          value = text.slice(tokenBegin, i).toLowerCase();
          if (!isSpace(ch(i)) && ch(i) !== ">") throw new EntityParseError(`Unexpected end of name token at byte offset ${at(tokenBegin)}`);
        } else {
          const quote = text[i++]!;
          while (i < n && text[i] !== quote) {
            if (text[i] === "&") {
              const decoded = decodeHtmlEntity(text, i);
              if (decoded) {
                value += String.fromCodePoint(decoded.code);
                i = decoded.end;
                continue;
              }
            }
            value += text[i++]!;
          }
          if (ch(i) === quote) i++;
        }
        if (i >= n) throw new EntityParseError(`Unclosed start tag at byte offset ${at(beginPos)}`);

        if (tag === "a" && attribute === "href") argument = value;
        else if (tag === "code" && attribute === "class" && value.startsWith("language-")) argument = value.slice(9);
        else if (tag === "span" && attribute === "class" && value.startsWith("tg-")) argument = value.slice(3);
        else if (tag === "tg-emoji" && attribute === "emoji-id") argument = value;
      }
      if (tag === "span" && argument !== "spoiler") throw new EntityParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${at(beginPos)}`);
      nested.push({ tag, argument, expandable, offset: out.length, beginPos: out.length });
      continue;
    }

    // An end tag.
    if (nested.length === 0) throw new EntityParseError(`Unexpected end tag at byte offset ${at(beginPos)}`);
    while (!isSpace(ch(i)) && ch(i) !== ">") i++;
    const endTag = text.slice(beginPos + 2, i).toLowerCase();
    while (i < n && isSpace(ch(i))) i++;
    if (ch(i) !== ">") throw new EntityParseError(`Unclosed end tag at byte offset ${at(beginPos)}`);
    const open = nested.at(-1)!;
    if (endTag !== "" && endTag !== open.tag) {
      throw new EntityParseError(`Unmatched end tag at byte offset ${at(beginPos)}, expected "</${open.tag}>", found "</${endTag}>"`);
    }
    if (out.length > open.offset) {
      const offset = open.offset;
      const length = out.length - offset;
      const last = entities.at(-1);
      const plain = PLAIN_HTML_ENTITIES[open.tag];
      if (plain) entities.push({ type: plain, offset, length });
      else switch (open.tag) {
        case "tg-emoji":
          entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: emojiId(open.argument) });
          break;
        case "a": {
          const link = linkEntity(open.argument === "" ? out.slice(open.beginPos) : open.argument, findUser);
          if (link) entities.push({ ...link, offset, length });
          break;
        }
        case "pre":
          if (last?.type === "code" && last.offset === offset && last.length === length && last.language) {
            last.type = "pre";
          } else entities.push({ type: "pre", offset, length });
          break;
        case "code":
          if (last?.type === "pre" && last.offset === offset && last.length === length && open.argument) {
            last.language = open.argument;
          } else entities.push(open.argument ? { type: "code", offset, length, language: open.argument } : { type: "code", offset, length });
          break;
        case "blockquote":
          entities.push({ type: open.expandable ? "expandable_blockquote" : "blockquote", offset, length });
          break;
      }
    }
    nested.pop();
  }
  const unclosed = nested.at(-1);
  if (unclosed) throw new EntityParseError(`Can't find end tag corresponding to start tag ${unclosed.tag}`);
  // A language belongs to a pre block only.
  for (const entity of entities) if (entity.type === "code") delete entity.language;
  return { text: out, entities: sortEntities(entities) };
}

function decodeHtmlEntity(text: string, pos: number): { code: number; end: number } | undefined {
  const ch = (k: number) => (k < text.length ? text[k]! : "\0");
  let end = pos + 1;
  let code = 0;
  if (ch(pos + 1) === "#") {
    end++;
    if (ch(pos + 2) === "x") {
      end++;
      while (/[0-9a-fA-F]/.test(ch(end))) code = code * 16 + Number.parseInt(ch(end++), 16);
    } else {
      while (/[0-9]/.test(ch(end))) code = code * 10 + Number(ch(end++));
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (/[A-Za-z]/.test(ch(end))) end++;
    const name = text.slice(pos + 1, end);
    code = name === "lt" ? 0x3c : name === "gt" ? 0x3e : name === "amp" ? 0x26 : name === "quot" ? 0x22 : 0;
    if (code === 0) return undefined;
  }
  if (ch(end) === ";") end++;
  return { code, end };
}

function emojiId(argument: string): string {
  if (!/^[0-9]+$/.test(argument) || /^0+$/.test(argument)) throw new EntityParseError("Invalid custom emoji identifier specified");
  return argument;
}

function customEmojiId(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^?/]*)\/?\?(.*)$/i.exec(url.trim());
  if (!match || match[1]!.toLowerCase() !== "tg") throw new EntityParseError("Custom emoji URL must have scheme tg");
  if (match[2]!.toLowerCase() !== "emoji") throw new EntityParseError('Custom emoji URL must have host "emoji"');
  const id = new URLSearchParams(match[3]).get("id");
  if (!id) throw new EntityParseError("Custom emoji URL must have an emoji identifier");
  return emojiId(id);
}

/**
 * The entity of a link (`text_link` with the link as Telegram normalises it, or `text_mention` for
 * `tg://user?id=…`), or undefined for a link Telegram drops (a scheme it does not allow, no host).
 */
function linkEntity(url: string, findUser: (id: number) => TelegramUser | undefined): Omit<TelegramMessageEntity, "offset" | "length"> | undefined {
  const link = url.trim();
  const user = /^tg:(?:\/\/)?user\?id=([0-9]{1,15})$/i.exec(link);
  if (user) {
    const id = Number(user[1]);
    return { type: "text_mention", user: findUser(id) ?? { id, is_bot: false, first_name: "" } };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(link)?.[1]?.toLowerCase();
  if (scheme === "tg" || scheme === "ton" || scheme === "tonsite") return { type: "text_link", url: scheme + link.slice(scheme.length) };
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    // `host:port` without a scheme reads as a scheme here; Telegram takes it as an http link.
    if (!/^[a-z0-9.-]+:[0-9]+(?:[/?#]|$)/i.test(link)) return undefined;
  }
  try {
    const parsed = new URL(scheme === "http" || scheme === "https" ? link : `http://${link}`);
    return parsed.hostname === "" ? undefined : { type: "text_link", url: parsed.href };
  } catch {
    return undefined;
  }
}

/** Telegram's order: by offset, then the longer first, then by type priority. */
function sortEntities(entities: TelegramMessageEntity[]): TelegramMessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length || priority(a.type) - priority(b.type));
}

const PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  text_mention: 49,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
};
const priority = (type: string) => PRIORITY[type] ?? 50;

const overlaps = (a: TelegramMessageEntity, b: TelegramMessageEntity) => a.offset < b.offset + b.length && b.offset < a.offset + a.length;

/** Leading and trailing white space removed, and the entities moved and clipped to what is left. */
function trim({ text, entities }: FormattedText): FormattedText {
  const start = text.length - text.replace(/^[ \t\r\n\v\f]+/, "").length;
  const end = text.replace(/[ \t\r\n\v\f]+$/, "").length;
  if (start >= end) return { text: "", entities: [] };
  const kept: TelegramMessageEntity[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) kept.push({ ...entity, offset: from - start, length: to - from });
  }
  return { text: text.slice(start, end), entities: kept };
}

/** Unicode code points, as Telegram counts a message's length. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const WORD = /[\p{L}\p{N}_]/u;
const HASHTAG_LETTER = /[\p{L}\p{Nd}_\u200c\u00b7\u0d80-\u0dff]/u;
const isWord = (c: string | undefined) => c !== undefined && WORD.test(c);
/** The code point ending just before `index` / starting at `index` (a surrogate pair counts as one). */
function before(text: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  return low >= 0xdc00 && low <= 0xdfff && index >= 2 ? text.slice(index - 2, index) : text[index - 1];
}
const after = (text: string, index: number) => (index < text.length ? String.fromCodePoint(text.codePointAt(index)!) : undefined);

const COMMON_TLDS = new Set(
  "com org net edu gov mil int info biz io dev ai app me co tv cc us uk de fr ru jp cn in br it es nl se no fi dk pl ch at be eu ca au nz xyz site online tech store blog cloud news".split(" "),
);

/**
 * The entities Telegram finds in plain text: `@mentions`, `/commands` (optionally `@bot`),
 * `#hashtags`, `$CASHTAGS`, URLs (with a scheme, or a host under a common top-level domain) and
 * e-mail addresses — overlapping finds keep the earlier, longer one.
 */
export function findEntities(text: string): TelegramMessageEntity[] {
  const found: TelegramMessageEntity[] = [];

  for (const match of text.matchAll(/@([A-Za-z0-9_]+)/g)) {
    const start = match.index;
    const name = match[1]!;
    if (isWord(before(text, start)) || isWord(after(text, start + match[0].length))) continue;
    if (name.length > 32 || (name.length < 4 && !["gif", "vid", "pic"].includes(name.toLowerCase()))) continue;
    found.push({ type: "mention", offset: start, length: match[0].length });
  }

  for (const match of text.matchAll(/\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]*))?/g)) {
    const start = match.index;
    const previous = before(text, start);
    if (isWord(previous) || previous === "/" || previous === "<" || previous === ">") continue;
    const command = match[1]!;
    const mention = match[2];
    if (command.length > 64) continue;
    if (mention !== undefined && (mention.length < 3 || mention.length > 32)) continue;
    const next = after(text, start + match[0].length);
    if (isWord(next) || next === "/" || next === "<" || next === ">") continue;
    found.push({ type: "bot_command", offset: start, length: match[0].length });
  }

  for (const match of text.matchAll(/#([\p{L}\p{Nd}_\u200c\u00b7\u0d80-\u0dff]+)/gu)) {
    const start = match.index;
    const previous = before(text, start);
    if (previous !== undefined && HASHTAG_LETTER.test(previous)) continue;
    if (text[start + match[0].length] === "#") continue;
    const body = [...match[1]!].slice(0, 256).join("");
    if (!/\p{L}/u.test(body)) continue;
    found.push({ type: "hashtag", offset: start, length: 1 + body.length });
  }

  for (const match of text.matchAll(/\$(1INCH|[A-Z]+)/g)) {
    const start = match.index;
    const previous = before(text, start);
    if (previous !== undefined && (HASHTAG_LETTER.test(previous) || previous === "$")) continue;
    const next = after(text, start + match[0].length);
    if (match[1]!.length > 8 || (next !== undefined && (HASHTAG_LETTER.test(next) || next === "$"))) continue;
    found.push({ type: "cashtag", offset: start, length: match[0].length });
  }

  for (const match of text.matchAll(/[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/g)) {
    const previous = before(text, match.index);
    if (previous !== undefined && /[A-Za-z0-9._%+-]/.test(previous)) continue;
    found.push({ type: "email", offset: match.index, length: match[0].length });
  }

  for (const match of text.matchAll(/(?:(?:https?|ftp):\/\/)?(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}]{2,}(?::[0-9]{1,5})?(?:[/?#][^\s<>"]*)?/giu)) {
    const start = match.index;
    const previous = before(text, start);
    if (previous !== undefined && /[\p{L}\p{N}_@.\-/]/u.test(previous)) continue;
    const url = fixUrl(match[0]);
    if (url === undefined) continue;
    found.push({ type: "url", offset: start, length: url.length });
  }

  const sorted = found.sort((a, b) => a.offset - b.offset || b.length - a.length);
  const kept: TelegramMessageEntity[] = [];
  for (const entity of sorted) if (!kept.some((other) => overlaps(entity, other))) kept.push(entity);
  return kept;
}

/** A URL as Telegram ends it (unbalanced brackets and trailing punctuation left out), or undefined if it is not one. */
function fixUrl(candidate: string): string | undefined {
  const hasScheme = /^(?:https?|ftp):\/\//i.test(candidate);
  const rest = hasScheme ? candidate.slice(candidate.indexOf(":") + 3) : candidate;
  const domainEnd = rest.search(/[/?#]/);
  const domain = domainEnd === -1 ? rest : rest.slice(0, domainEnd);
  let path = domainEnd === -1 ? "" : rest.slice(domainEnd);
  const balance = { "(": 0, "[": 0, "{": 0 };
  let cut = path.length;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === "(" || c === "[" || c === "{") balance[c]++;
    else if (c === ")") balance["("]--;
    else if (c === "]") balance["["]--;
    else if (c === "}") balance["{"]--;
    if (balance["("] < 0 || balance["["] < 0 || balance["{"] < 0) {
      cut = i;
      break;
    }
  }
  path = path.slice(0, cut);
  while (path.length > 0 && ".:;,('?!`".includes(path.at(-1)!)) path = path.slice(0, -1);
  const host = domain.replace(/:[0-9]+$/, "");
  const tld = host.slice(host.lastIndexOf(".") + 1).toLowerCase();
  if (!host.includes(".") || tld.length < 2) return undefined;
  if (!hasScheme && !COMMON_TLDS.has(tld)) return undefined;
  return candidate.slice(0, candidate.length - (rest.length - domain.length)) + path;
}

// The one place this module reaches the SDK.
export { AlephError, validateId, writeFileAtomic } from "@aleph/plugin-sdk";

import { describe, expect, it } from "vitest";
import { buildCommandEnv } from "./environment.js";

const source = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/ada",
  LANG: "en_GB.UTF-8",
  LC_ALL: "C.UTF-8",
  LC_TIME: "en_GB.UTF-8",
  ALEPH_VAULT_PASSPHRASE: "correct horse battery staple",
  ALEPH_STATE_DIR: "/home/ada/.config/aleph",
  OPENAI_API_KEY: "sk-live-123456",
  GOPATH: "/home/ada/go",
  AWS_SECRET_ACCESS_KEY: "vault-value-9876",
};
const noSecrets = () => false;

describe("buildCommandEnv", () => {
  it("passes the allow-listed names and LC_*, and nothing else of Aleph's environment", () => {
    const { env, withheld } = buildCommandEnv({ source, passEnv: [], env: {}, holdsSecret: noSecrets });
    expect(env).toEqual({ PATH: "/usr/bin:/bin", HOME: "/home/ada", LANG: "en_GB.UTF-8", LC_ALL: "C.UTF-8", LC_TIME: "en_GB.UTF-8" });
    expect(withheld).toEqual([]);
  });

  it("adds pass_env names that are set and the env table, which wins", () => {
    const { env } = buildCommandEnv({ source, passEnv: ["GOPATH", "NOT_SET"], env: { CI: "1", HOME: "/tmp/h" }, holdsSecret: noSecrets });
    expect(env).toMatchObject({ GOPATH: "/home/ada/go", CI: "1", HOME: "/tmp/h" });
    expect(env).not.toHaveProperty("NOT_SET");
  });

  it("never passes ALEPH_* variables, even when listed", () => {
    const { env } = buildCommandEnv({ source, passEnv: ["ALEPH_VAULT_PASSPHRASE", "ALEPH_STATE_DIR"], env: { ALEPH_X: "1", aleph_y: "2" }, holdsSecret: noSecrets });
    expect(Object.keys(env).filter((name) => /^aleph_/i.test(name))).toEqual([]);
  });

  it("withholds any value holding a known secret, whatever its name, and names it", () => {
    const secrets = ["vault-value-9876", "sk-live-123456"];
    const { env, withheld } = buildCommandEnv({
      source,
      passEnv: ["AWS_SECRET_ACCESS_KEY", "GOPATH"],
      env: { TOKEN_COPY: "Bearer sk-live-123456", PLAIN: "hello" },
      holdsSecret: (value) => secrets.some((s) => value.includes(s)),
    });
    expect(withheld).toEqual(["AWS_SECRET_ACCESS_KEY", "TOKEN_COPY"]);
    expect(env).toMatchObject({ GOPATH: "/home/ada/go", PLAIN: "hello" });
    expect(JSON.stringify(env)).not.toMatch(/vault-value|sk-live/);
  });

  it("drops relative folders from PATH, so no program is looked up in the workspace", () => {
    const { env } = buildCommandEnv({ source: { PATH: ".:/usr/bin::bin:/bin:" }, passEnv: [], env: {}, holdsSecret: noSecrets });
    expect(env.PATH).toBe("/usr/bin:/bin");
    expect(buildCommandEnv({ source: {}, passEnv: [], env: { PATH: "./node_modules/.bin:/opt/x" }, holdsSecret: noSecrets }).env.PATH).toBe("/opt/x");
  });
});

import { createServiceRef } from "@aleph/plugin-sdk";

/** The service this plugin provides. Consumers declare `requires = ["greeter"]` and use this ref. */
export interface Greeter {
  greet(name: string): string;
  /** How many greetings this generation has made. */
  count(): number;
}

export const greeterRef = createServiceRef<Greeter>("greeter");

export function createGreeter(settings: { greeting: string; punctuation: string }): Greeter & { settings: typeof settings } {
  let greeted = 0;
  return {
    settings,
    greet(name) {
      greeted += 1;
      return `${settings.greeting}, ${name}${settings.punctuation}`;
    },
    count: () => greeted,
  };
}

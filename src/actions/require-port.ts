/** A port an action needs, or a refusal saying it is not configured. */
import { ActionRefusal } from "./action.ts";

export function requirePort<T>(port: T | undefined, what: string): T {
  if (port === undefined) {
    throw new ActionRefusal(`${what} is not configured: the bot cannot reach it`);
  }
  return port;
}

/** Runs a check that refuses by throwing ActionRefusal; its reason, or undefined when it passed. */
export async function refusalOf(check: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    if (error instanceof ActionRefusal) return error.message;
    throw error;
  }
}

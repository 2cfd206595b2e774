// API keys live in VS Code's SecretStorage, never in settings; they reach the server as
// environment variables named like the provider expects (OPENAI_API_KEY, ...).

import type { SecretStorage } from "vscode";

const INDEX = "wishful.apiKeys"; // JSON list of the variable names that have a stored key
const PREFIX = "wishful.apiKey.";

/** Provider key variables (litellm's names), by model prefix. */
const PROVIDERS: [RegExp, string][] = [
  [/^(openai\/|gpt-|o\d|text-embedding|chatgpt)/, "OPENAI_API_KEY"],
  [/^(anthropic\/|claude)/, "ANTHROPIC_API_KEY"],
  [/^(gemini\/|google\/)/, "GEMINI_API_KEY"],
  [/^groq\//, "GROQ_API_KEY"],
  [/^mistral\//, "MISTRAL_API_KEY"],
  [/^deepseek\//, "DEEPSEEK_API_KEY"],
  [/^openrouter\//, "OPENROUTER_API_KEY"],
  [/^together_ai\//, "TOGETHERAI_API_KEY"],
  [/^xai\//, "XAI_API_KEY"],
  [/^azure\//, "AZURE_API_KEY"],
  [/^cohere/, "COHERE_API_KEY"],
  [/^fireworks_ai\//, "FIREWORKS_AI_API_KEY"],
];

export const KNOWN_VARIABLES = [...new Set(PROVIDERS.map(([, v]) => v))];

/** The key variable a model most likely needs (`undefined`: unknown provider or a local model). */
export function variableFor(model: string | undefined): string | undefined {
  const name = (model ?? "").trim().toLowerCase();
  return PROVIDERS.find(([pattern]) => pattern.test(name))?.[1];
}

/** An environment variable name we are willing to set. */
export function validVariable(name: string): boolean {
  return /^[A-Z_][A-Z0-9_]*$/.test(name) && name !== "PATH" && !name.startsWith("PYTHON");
}

export class ApiKeys {
  constructor(private readonly secrets: SecretStorage) {}

  async names(): Promise<string[]> {
    try {
      const parsed: unknown = JSON.parse((await this.secrets.get(INDEX)) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === "string") : [];
    } catch {
      return [];
    }
  }

  /** Store `value` for `variable`; an empty value removes the stored key. */
  async set(variable: string, value: string): Promise<void> {
    const names = new Set(await this.names());
    if (value) {
      await this.secrets.store(PREFIX + variable, value);
      names.add(variable);
    } else {
      await this.secrets.delete(PREFIX + variable);
      names.delete(variable);
    }
    await this.secrets.store(INDEX, JSON.stringify([...names].sort()));
  }

  /** The stored keys as environment variables for the server process. */
  async environment(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of await this.names()) {
      const value = await this.secrets.get(PREFIX + name);
      if (value) env[name] = value;
    }
    return env;
  }
}

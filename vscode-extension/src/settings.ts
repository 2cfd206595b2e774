// What the extension sends the server as settings. Pure: no `vscode` import, so it is unit-tested.
//
// Only values the user set are sent. The server ranks editor settings above the project's own
// (`WISHFUL_MODEL`, `.env`, `[tool.wishful]`), so sending VS Code's defaults would silently hide
// the project's configuration.

/** The layers of one setting as `WorkspaceConfiguration.inspect()` reports them. */
export interface SettingLayers<T = unknown> {
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** Reads one setting's layers, e.g. `key => config.inspect(key)`. */
export type Inspect = (key: string) => SettingLayers | undefined;

/** Settings under `wishful.` the server reads (keys as the server spells them). */
export const SERVER_KEYS = [
  "model",
  "apiBase",
  "cacheDir",
  "preview",
  "requestTimeout",
  "generationTimeout",
  "generationEnabled",
  "openAfterGenerate",
  "severity",
] as const;

/** Settings a workspace may only set once it is trusted (VS Code's `restrictedConfigurations`). */
export const RESTRICTED_KEYS: readonly string[] = ["interpreter", "cacheDir"];

/** Settings whose change needs a new server process (the rest are re-read by the running one). */
export const RESTART_KEYS: readonly string[] = ["interpreter"];

export type ServerSettings = { [key: string]: unknown };

function present(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (typeof value === "object" && !Array.isArray(value)) return Object.keys(value as object).length > 0;
  return true;
}

/**
 * The effective value the user set for `key`: folder over workspace over user settings.
 * Untrusted workspaces cannot set restricted keys: only the user's own value counts then.
 */
export function explicitValue(layers: SettingLayers | undefined, key: string, trusted: boolean): unknown {
  if (!layers) return undefined;
  const restricted = !trusted && RESTRICTED_KEYS.includes(key);
  const order = restricted
    ? [layers.globalValue]
    : [layers.workspaceFolderValue, layers.workspaceValue, layers.globalValue];
  if (key === "severity") {
    // an object per layer: merge them, the most specific winning per code
    const merged: { [code: string]: unknown } = {};
    for (const layer of [...order].reverse()) {
      if (layer && typeof layer === "object") Object.assign(merged, layer);
    }
    return present(merged) ? merged : undefined;
  }
  return order.find(present);
}

/**
 * The `wishful` settings sent as `initializationOptions` and as answers to
 * `workspace/configuration`: what the user set, with generation off in untrusted workspaces.
 */
export function serverSettings(inspect: Inspect, trusted: boolean): ServerSettings {
  const out: ServerSettings = {};
  for (const key of SERVER_KEYS) {
    const value = explicitValue(inspect(key), key, trusted);
    if (value !== undefined) out[key] = typeof value === "string" ? value.trim() : value;
  }
  if (!trusted) out.generationEnabled = false;
  return out;
}

/** The setting `wishful.interpreter` as it applies (see {@link explicitValue}). */
export function interpreterSetting(inspect: Inspect, trusted: boolean): string | undefined {
  const value = explicitValue(inspect("interpreter"), "interpreter", trusted);
  return typeof value === "string" ? value.trim() : undefined;
}

/** Does a configuration change (tested with `affects("wishful.x")`) need a restart? */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return RESTART_KEYS.some((key) => affects(`wishful.${key}`));
}

export type NotificationLevel = "off" | "onError" | "onWarning" | "always";

/** Message types of LSP `window/showMessage`: 1 error, 2 warning, 3 info, 4 log. */
export function shouldNotify(setting: unknown, messageType: number): boolean {
  switch (setting) {
    case "off":
      return false;
    case "onError":
      return messageType === 1;
    case "onWarning":
      return messageType <= 2;
    default:
      return messageType <= 3;
  }
}

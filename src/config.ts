import { z } from "zod";
import { parseDuration } from "./domain/duration";

/**
 * Every setting the API, worker, CLI and tests read, parsed once from the environment.
 * Names follow the official Tasking Manager (TM_*) where one exists.
 */
const booleanish = z
  .string()
  .transform((v) => ["1", "true", "yes", "on"].includes(v.trim().toLowerCase()));

const envSchema = z.object({
  DATABASE_URL: z.string().default("postgres://tm:tm@127.0.0.1:5432/tasking_manager"),
  TEMPORAL_ADDRESS: z.string().default("127.0.0.1:7233"),
  TEMPORAL_NAMESPACE: z.string().default("default"),
  TEMPORAL_TASK_QUEUE: z.string().default("tasking-manager"),
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  HOST: z.string().default("0.0.0.0"),
  TM_APP_API_URL: z.string().default("http://127.0.0.1:5000"),
  TM_APP_API_VERSION: z.string().default("v2"),
  TM_SECRET: z.string().min(1).default("tasking-manager-dev-secret-change-me"),
  TM_SESSION_TOKEN_TTL: z.string().default("7d"),
  TM_TASK_AUTOUNLOCK_AFTER: z.string().default("2h"),
  // How long before a lock's deadline its holder is warned (a notification); 0 turns the warning off.
  TM_LOCK_EXPIRY_WARNING: z.string().default("10m"),
  // Messages a message-contributors workflow writes per activity.
  TM_MESSAGE_BATCH_SIZE: z.coerce.number().int().min(1).max(10000).default(1000),
  TM_BULK_WAIT: z.string().default("30s"),
  TM_DEFAULT_LOCALE: z.string().default("en"),
  TM_SUPPORTED_LANGUAGES_CODES: z.string().default("en, fr, es, de, pt, ja, id, sw, tr, uk"),
  TM_SUPPORTED_LANGUAGES: z
    .string()
    .default("English, Français, Español, Deutsch, Português, 日本語, Indonesia, Kiswahili, Türkçe, Українська"),
  EXTRA_CORS_ORIGINS: z.string().default("*"),
  TM_MAX_BODY_SIZE: z.string().default("10mb"),
  TM_BANNER_MAX_LENGTH: z.coerce.number().int().positive().default(255),
  // The official frontend refuses areas of interest above 5,000 km²; the API enforces the same here.
  TM_MAX_AOI_AREA_SQKM: z.coerce.number().positive().default(5000),
  TM_MAX_TASKS: z.coerce.number().int().positive().default(25000),
  TM_DEFAULT_CHANGESET_COMMENT: z.string().default("#tm-project"),
  TM_SHUTDOWN_GRACE: z.string().default("10s"),
  TM_SMTP_HOST: z.string().optional(),
  TM_SMTP_PORT: z.coerce.number().int().optional(),
  TM_SMTP_USER: z.string().optional(),
  TM_SMTP_PASSWORD: z.string().optional(),
  TM_EMAIL_FROM_ADDRESS: z.string().default("noreply@tasks.local"),
  // Who receives the contact-admin form by email (admins always get it in their notifications too).
  TM_EMAIL_CONTACT_ADDRESS: z.string().optional(),
  // OpenStreetMap: the server of the OAuth2 login (authorize, token, user details) and of the users'
  // OSM details (/api/0.6/user/{id}.json), and this app's OAuth2 client.
  OSM_SERVER_URL: z.string().url().default("https://www.openstreetmap.org"),
  TM_CLIENT_ID: z.string().default(""),
  TM_CLIENT_SECRET: z.string().default(""),
  TM_REDIRECT_URI: z.string().default("http://127.0.0.1:3000/authorized"),
  TM_SCOPE: z.string().default("read_prefs write_api"),
  // The web frontend, for links in emails (email verification).
  TM_APP_BASE_URL: z.string().default("http://127.0.0.1:3000"),
  // The image service the image-upload endpoint forwards to (the official IMAGE_UPLOAD_API_URL / _KEY).
  TM_IMAGE_UPLOAD_API_URL: z.string().optional(),
  TM_IMAGE_UPLOAD_API_KEY: z.string().optional(),
  TM_RELEASE_SHA: z.string().optional(),
  // The ohsome statistics API (official OHSOME_STATS_BASE_URL) and its optional Basic token.
  OHSOME_STATS_BASE_URL: z.string().url().default("https://stats.now.ohsome.org/api"),
  OHSOME_STATS_TOKEN: z.string().optional(),
  OHSOME_STATS_TOPICS: z.string().default("changeset,edit,building,road"),
  // How long a call to OSM or ohsome may take before the API answers 502.
  TM_EXTERNAL_TIMEOUT: z.string().default("10s"),
  // Where POST /system/release/ reads the latest release (GitHub's releases API of the official repository).
  TM_RELEASES_URL: z.string().url().default("https://api.github.com/repos/hotosm/tasking-manager/releases/latest"),
  LOG_LEVEL: z.string().default("info"),
  TM_LOG_REQUESTS: booleanish.default(true),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  http: { port: number; host: string; maxBodySize: string; corsOrigins: string[]; shutdownGraceMs: number };
  apiUrl: string;
  apiVersion: string;
  secret: string;
  sessionTokenTtlMs: number;
  taskAutoUnlockMs: number;
  lockExpiryWarningMs: number;
  messaging: { batchSize: number };
  /** How long a bulk-operation request waits for its workflow before answering 202. */
  bulkWaitMs: number;
  defaultLocale: string;
  supportedLanguages: { code: string; language: string }[];
  bannerMaxLength: number;
  /** Limits on a new project: AOI area (km²), number of tasks; and the changeset comment prefix. */
  projects: { maxAoiAreaSqKm: number; maxTasks: number; defaultChangesetComment: string };
  smtp: { host?: string; port?: number; user?: string; password?: string; from: string };
  contactAddress?: string;
  osm: { serverUrl: string; clientId: string; clientSecret: string; redirectUri: string; scope: string };
  appBaseUrl: string;
  imageUpload: { url?: string; apiKey?: string };
  releaseSha?: string;
  /** Outside services the user endpoints call. */
  external: { osmServerUrl: string; releasesUrl: string; ohsomeStatsUrl: string; ohsomeStatsToken?: string; ohsomeStatsTopics: string; timeoutMs: number };
  logLevel: string;
  logRequests: boolean;
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${issues}`);
  }
  const env = parsed.data;
  const codes = splitList(env.TM_SUPPORTED_LANGUAGES_CODES);
  const names = splitList(env.TM_SUPPORTED_LANGUAGES);
  return {
    databaseUrl: env.DATABASE_URL,
    temporal: { address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE },
    http: {
      port: env.PORT,
      host: env.HOST,
      maxBodySize: env.TM_MAX_BODY_SIZE,
      corsOrigins: splitList(env.EXTRA_CORS_ORIGINS),
      shutdownGraceMs: parseDuration(env.TM_SHUTDOWN_GRACE),
    },
    apiUrl: env.TM_APP_API_URL,
    apiVersion: env.TM_APP_API_VERSION,
    secret: env.TM_SECRET,
    sessionTokenTtlMs: parseDuration(env.TM_SESSION_TOKEN_TTL),
    taskAutoUnlockMs: parseDuration(env.TM_TASK_AUTOUNLOCK_AFTER),
    lockExpiryWarningMs: parseDuration(env.TM_LOCK_EXPIRY_WARNING),
    messaging: { batchSize: env.TM_MESSAGE_BATCH_SIZE },
    bulkWaitMs: parseDuration(env.TM_BULK_WAIT),
    defaultLocale: env.TM_DEFAULT_LOCALE,
    supportedLanguages: codes.map((code, i) => ({ code, language: names[i] ?? code })),
    bannerMaxLength: env.TM_BANNER_MAX_LENGTH,
    projects: {
      maxAoiAreaSqKm: env.TM_MAX_AOI_AREA_SQKM,
      maxTasks: env.TM_MAX_TASKS,
      defaultChangesetComment: env.TM_DEFAULT_CHANGESET_COMMENT,
    },
    smtp: {
      host: env.TM_SMTP_HOST,
      port: env.TM_SMTP_PORT,
      user: env.TM_SMTP_USER,
      password: env.TM_SMTP_PASSWORD,
      from: env.TM_EMAIL_FROM_ADDRESS,
    },
    contactAddress: env.TM_EMAIL_CONTACT_ADDRESS,
    osm: {
      serverUrl: env.OSM_SERVER_URL.replace(/\/+$/, ""),
      clientId: env.TM_CLIENT_ID,
      clientSecret: env.TM_CLIENT_SECRET,
      redirectUri: env.TM_REDIRECT_URI,
      scope: env.TM_SCOPE,
    },
    appBaseUrl: env.TM_APP_BASE_URL.replace(/\/+$/, ""),
    imageUpload: { url: env.TM_IMAGE_UPLOAD_API_URL, apiKey: env.TM_IMAGE_UPLOAD_API_KEY },
    releaseSha: env.TM_RELEASE_SHA,
    external: {
      osmServerUrl: env.OSM_SERVER_URL.replace(/\/+$/, ""),
      releasesUrl: env.TM_RELEASES_URL,
      ohsomeStatsUrl: env.OHSOME_STATS_BASE_URL.replace(/\/+$/, ""),
      ohsomeStatsToken: env.OHSOME_STATS_TOKEN,
      ohsomeStatsTopics: env.OHSOME_STATS_TOPICS,
      timeoutMs: parseDuration(env.TM_EXTERNAL_TIMEOUT),
    },
    logLevel: env.LOG_LEVEL,
    logRequests: env.TM_LOG_REQUESTS,
  };
}

let cached: Config | undefined;
/** The process-wide configuration (read once). Tests build their own with loadConfig. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

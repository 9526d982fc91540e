import type { Config } from "../config";
import { ApiError, badRequest } from "./errors";

/**
 * Forwards an image to the image service (TM_IMAGE_UPLOAD_API_URL, key in x-api-key) as the official
 * API does: POST <url>?filename=<name> with {"image": {mime, data, filename}}; the service answers the
 * stored image's URL, which is passed back as is.
 */
export const IMAGE_MIME_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;

const UPLOAD_TIMEOUT_MS = 30_000;

export interface ImageUpload {
  mime?: string | null;
  data?: string | null;
  filename?: string | null;
}

/** The official refusals, in the official order: filename, then mime, then (here) the data itself. */
export function checkImageUpload(upload: ImageUpload): { mime: string; data: string; filename: string } {
  if (!upload.filename) throw badRequest("Missing filename parameter", "MissingFilename");
  if (!upload.mime) throw badRequest("Missing mime parameter", "MissingMime");
  if (!(IMAGE_MIME_TYPES as readonly string[]).includes(upload.mime)) {
    throw badRequest("Mimetype is not allowed. The supported formats are: png, jpeg, webp and gif.", "UnsupportedFile");
  }
  // Accept a bare base64 string or a data: URL of it, as the frontend's file reader produces.
  const base64 = (upload.data ?? "").replace(/^data:[^;,]+;base64,/, "");
  if (!base64 || base64.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw badRequest("data must be the base64-encoded image");
  return { mime: upload.mime, data: upload.data!, filename: upload.filename };
}

export async function forwardImage(service: Config["imageUpload"], image: { mime: string; data: string; filename: string }): Promise<unknown> {
  if (!service.url || !service.apiKey) throw new ApiError(503, "UndefinedImageService", "Image upload service not defined");
  const url = new URL(service.url);
  url.searchParams.set("filename", image.filename);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "x-api-key": service.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ image }),
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
  } catch {
    throw new ApiError(502, "ImageServiceError", "The image service did not answer");
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (response.ok && body) return body;
  const reason = typeof body?.message === "string" ? body.message : typeof body?.Error === "string" ? body.Error : `status ${response.status}`;
  if (response.status >= 400 && response.status < 500) throw badRequest(`The image service refused the image: ${reason}`);
  throw new ApiError(502, "ImageServiceError", `The image service failed: ${reason}`);
}

/**
 * An error the API answers with the official envelope `{"Error": ..., "SubCode": ...}`.
 * Domain rules throw these; the HTTP layer renders them.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly subCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, subCode = "InvalidData") => new ApiError(400, subCode, message);
export const unauthorized = (message = "Token is expired or invalid") =>
  new ApiError(401, "InvalidToken", message, { "WWW-Authenticate": "Bearer" });
export const forbidden = (message: string, subCode = "UserPermissionError") => new ApiError(403, subCode, message);
export const notFound = (message = "Resource not found", subCode = "NotFoundError") =>
  new ApiError(404, subCode, message);
export const conflict = (message: string, subCode: string) => new ApiError(409, subCode, message);

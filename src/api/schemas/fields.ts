import { z } from "zod";
import { ErrorEnvelope } from "../openapi/routes";

/** A numeric id in a path (arrives as a string). */
export const pathId = z.coerce.number().int().positive();

/** A required text field: surrounding whitespace is trimmed and nothing-but-blanks is refused. */
export const requiredText = z.string().trim().min(1, "must not be empty");

/** "true" / "false" in a query string. */
export const queryBoolean = z.enum(["true", "false"]).transform((v) => v === "true");

/** The official `{"Success": "..."}` answer of actions and deletions. */
export const SuccessDTO = z.object({ Success: z.string() }).meta({ id: "Success" });

/** The documented 409 of a create/rename whose name is taken. */
export const nameExistsResponse = { description: "The name is taken (SubCode NameExists)", schema: ErrorEnvelope };

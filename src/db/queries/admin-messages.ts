import type { DB } from "../database";

/** Leaves one SYSTEM message in every admin's notifications; answers how many admins got it. */
export async function messageAllAdmins(db: DB, message: { subject: string; message: string }): Promise<number> {
  const rows = await db
    .insertInto("messages")
    .columns(["to_user_id", "subject", "message", "message_type"])
    .expression((eb) =>
      eb
        .selectFrom("users")
        .select((s) => ["users.id", s.val(message.subject).as("subject"), s.val(message.message).as("message"), s.val("SYSTEM").as("message_type")])
        .where("users.role", "=", "ADMIN"),
    )
    .returning("id")
    .execute();
  return rows.length;
}

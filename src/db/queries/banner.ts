import type { DB } from "../database";

export function getBanner(db: DB) {
  return db.selectFrom("banner").select(["message", "visible"]).where("id", "=", 1).executeTakeFirstOrThrow();
}

export function saveBanner(db: DB, banner: { message: string; visible: boolean }) {
  return db
    .updateTable("banner")
    .set(banner)
    .where("id", "=", 1)
    .returning(["message", "visible"])
    .executeTakeFirstOrThrow();
}

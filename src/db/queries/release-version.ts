import type { DB } from "../database";

/** Keeps the one release_version row: the given release replaces whatever was stored. */
export async function saveReleaseVersion(db: DB, release: { tagName: string; publishedAt: string }) {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom("release_version").where("tag_name", "<>", release.tagName).execute();
    return trx
      .insertInto("release_version")
      .values({ tag_name: release.tagName, published_at: release.publishedAt })
      .onConflict((oc) => oc.column("tag_name").doUpdateSet({ published_at: release.publishedAt }))
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

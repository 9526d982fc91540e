import { Connection } from "@temporalio/client";
import { msToTs } from "@temporalio/common/lib/time";
import { temporal } from "@temporalio/proto";
import { readFileSync } from "node:fs";
import { ROOT, waitUntil } from "./process";

const TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * A Temporal namespace for one test run, with the project's search attributes: workflow ids such as
 * `project-8/bulk` are only unique per database, and every run starts a fresh database.
 */
export async function createTestNamespace(address: string, namespace: string) {
  const connection = await Connection.connect({ address });
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs("1 day") });
  const attributes = JSON.parse(readFileSync(`${ROOT}/src/temporal/search-attributes.json`, "utf8")) as Record<string, string>;
  await waitUntil(async () => {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, TYPES[v]!])),
    });
    return true;
  }, 30_000, "the test namespace");
  await waitUntil(async () => {
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.keys(attributes).every((k) => k in (listed.customAttributes ?? {}));
  }, 30_000, "the search attributes");
  return {
    async drop() {
      await connection.operatorService.deleteNamespace({ namespace }).catch(() => undefined);
      await connection.close();
    },
  };
}

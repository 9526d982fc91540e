import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { lockScenario, mapTasks } from "../helpers/locks";

describe("validation locks", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());


  it("locks several mapped tasks, validates one and invalidates another with issues", async () => {
    const s = await lockScenario(app);
    await mapTasks(s, [1, 2]);
    const category = await app.services.db.insertInto("mapping_issue_categories").values({ name: `Missing buildings ${s.projectId}` }).returning("id").executeTakeFirstOrThrow();

    const locked = await s.lockValidation([1, 2], s.validator.token);
    expect(locked.status).toBe(200);
    // An operator finds the lock by any of its tasks in the Temporal Web UI.
    const found: string[] = [];
    for await (const wf of app.services.temporal.client.workflow.list({ query: `ProjectId = ${s.projectId} AND TaskIds = "2" AND LockMode = "VALIDATION"` })) found.push(wf.workflowId);
    expect(found).toEqual([`project-${s.projectId}/task-1/lock`]);
    expect(locked.body.tasks.map((t: { taskStatus: string }) => t.taskStatus)).toEqual(["LOCKED_FOR_VALIDATION", "LOCKED_FOR_VALIDATION"]);

    const result = await s.validate(
      [
        { taskId: 1, status: "VALIDATED", comment: "Good" },
        { taskId: 2, status: "INVALIDATED", comment: "Missed some", validationIssues: [{ mappingIssueCategoryId: category.id, issue: "Missing buildings", count: 3 }] },
      ],
      s.validator.token,
    );
    expect(result.status).toBe(200);
    expect(result.body.tasks.map((t: { taskStatus: string }) => t.taskStatus)).toEqual(["VALIDATED", "INVALIDATED"]);
    expect((await s.row(1)).validated_by).toBe(s.validator.id);
    expect((await s.history(2)).map((h) => `${h.action}:${h.action_text ?? ""}`).slice(-3)).toEqual([
      expect.stringMatching(/^LOCKED_FOR_VALIDATION:\d\d:\d\d:\d\d$/),
      "COMMENT:Missed some",
      "STATE_CHANGE:INVALIDATED",
    ]);
    const invalidation = await app.services.db.selectFrom("task_invalidation_history").selectAll().where("project_id", "=", s.projectId).execute();
    expect(invalidation).toHaveLength(1);
    expect(invalidation[0]).toMatchObject({ task_id: 2, mapper_id: s.mapper.id, invalidator_id: s.validator.id, is_closed: false });
    const issues = await app.services.db.selectFrom("task_mapping_issues").selectAll().where("mapping_issue_category_id", "=", category.id).execute();
    expect(issues).toMatchObject([{ issue: "Missing buildings", count: 3 }]);
    const counters = await app.services.db.selectFrom("projects").select(["tasks_mapped", "tasks_validated"]).where("id", "=", s.projectId).executeTakeFirstOrThrow();
    expect(counters).toEqual({ tasks_mapped: 0, tasks_validated: 1 });
  });

  it("is all or nothing: one unlockable task refuses the whole request", async () => {
    const s = await lockScenario(app);
    await mapTasks(s, [3]);
    const refused = await s.lockValidation([3, 4], s.validator.token);
    expect(refused.status).toBe(403);
    expect(refused.body.SubCode).toBe("NotReadyForValidation");
    expect((await s.row(3)).task_status).toBe("MAPPED");
    expect((await s.row(3)).locked_by).toBeNull();
  });

  it("refuses a mapper validating their own work, but not a project manager", async () => {
    const s = await lockScenario(app);
    await mapTasks(s, [5]);
    const own = await s.lockValidation([5], s.mapper.token);
    expect(own.status).toBe(403);
    expect(own.body.SubCode).toBe("CannotValidateMappedTask");
    // The manager maps and validates their own task.
    await s.lock(6, s.manager.token);
    await s.unlock(6, s.manager.token, "MAPPED");
    expect((await s.lockValidation([6], s.manager.token)).status).toBe(200);
  });

  it("stop-validation returns the tasks to MAPPED", async () => {
    const s = await lockScenario(app);
    await mapTasks(s, [7, 8]);
    await s.lockValidation([7, 8], s.validator.token);
    const stopped = await s.stopValidation([{ taskId: 7, comment: "Later" }], s.validator.token);
    expect(stopped.body.tasks[0]).toMatchObject({ taskId: 7, taskStatus: "MAPPED", lockHolder: null });
    expect((await s.row(8)).task_status).toBe("LOCKED_FOR_VALIDATION");
    const second = await s.stopValidation([{ taskId: 8 }], s.validator.token);
    expect(second.body.tasks[0].taskStatus).toBe("MAPPED");
    expect((await s.validate([{ taskId: 8, status: "VALIDATED" }], s.validator.token)).body.SubCode).toBe("LockBeforeUnlocking");
  });
});

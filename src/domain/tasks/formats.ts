import type { TaskOutline } from "../../db/queries/tasks";

/** Task outlines as files for desktop editors: OSM XML (JOSM) and GPX 1.1. */

const GENERATOR = "HOT Tasking Manager";

const escapeXml = (value: string) =>
  value.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

const attrs = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}="${escapeXml(String(v))}"`)
    .join(" ");

/** Every ring of a MultiPolygon (outer and inner), each without its repeated closing position. */
function openRings(task: TaskOutline): number[][][] {
  return task.coordinates.flatMap((polygon) => polygon.map((ring) => ring.slice(0, -1)));
}

function taskTags(task: TaskOutline): [string, string | number][] {
  const tags: [string, string | number | null][] = [
    ["taskId", task.id], ["taskX", task.x], ["taskY", task.y], ["taskZoom", task.zoom], ["taskStatus", task.task_status],
  ];
  return tags.filter((t): t is [string, string | number] => t[1] !== null);
}

/**
 * OSM XML (API 0.6) with negative, never-uploadable ids: one closed way per ring, its first node
 * repeated at the end, tagged with the task's id, tile and status.
 */
export function tasksAsOsmXml(tasks: TaskOutline[]): string {
  const nodes: string[] = [];
  const ways: string[] = [];
  let nodeId = 0;
  let wayId = 0;
  for (const task of tasks) {
    for (const ring of openRings(task)) {
      const refs = ring.map(([lon, lat]) => {
        nodeId -= 1;
        nodes.push(`  <node ${attrs({ id: nodeId, action: "modify", visible: "true", lat: lat!, lon: lon! })}/>`);
        return nodeId;
      });
      wayId -= 1;
      const nds = [...refs, refs[0]!].map((ref) => `    <nd ref="${ref}"/>`);
      const tags = taskTags(task).map(([k, v]) => `    <tag ${attrs({ k, v })}/>`);
      ways.push([`  <way ${attrs({ id: wayId, action: "modify", visible: "true" })}>`, ...nds, ...tags, "  </way>"].join("\n"));
    }
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<osm ${attrs({ version: "0.6", generator: GENERATOR, upload: "never" })}>`,
    ...nodes,
    ...ways,
    `</osm>`,
    "",
  ].join("\n");
}

/** GPX 1.1: metadata, then one track per task with a segment per ring (closed, as drawn). */
export function tasksAsGpx(projectId: number, tasks: TaskOutline[], now = new Date()): string {
  const tracks = tasks.map((task) => {
    const segments = task.coordinates
      .flatMap((polygon) => polygon)
      .map((ring) => ["      <trkseg>", ...ring.map(([lon, lat]) => `        <trkpt ${attrs({ lat: lat!, lon: lon! })}/>`), "      </trkseg>"].join("\n"));
    const tile = task.x !== null && task.y !== null && task.zoom !== null ? ` (${task.x}, ${task.y}, zoom ${task.zoom})` : "";
    return [
      "  <trk>",
      `    <name>${escapeXml(`Task ${task.id}${tile}`)}</name>`,
      `    <desc>${escapeXml(`Task ${task.id} of project ${projectId}: ${task.task_status}`)}</desc>`,
      `    <number>${task.id}</number>`,
      ...segments,
      "  </trk>",
    ].join("\n");
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<gpx ${attrs({
      version: "1.1",
      creator: GENERATOR,
      xmlns: "http://www.topografix.com/GPX/1/1",
      "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
      "xsi:schemaLocation": "http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd",
    })}>`,
    "  <metadata>",
    `    <name>${escapeXml(`Project ${projectId} tasks`)}</name>`,
    `    <desc>${escapeXml(`Task outlines of Tasking Manager project ${projectId}. Do not edit outside of these areas!`)}</desc>`,
    `    <time>${now.toISOString()}</time>`,
    "  </metadata>",
    ...tracks,
    "</gpx>",
    "",
  ].join("\n");
}

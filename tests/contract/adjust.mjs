// Write GitHub's official OpenAPI description (npm @octokit/openapi), narrowed to the
// operations kept uses and adjusted so that Prism checks what kept sends:
//
// 1. Prism answers 406 to `Accept: application/vnd.github+json` (what GitHub documents and
//    kept sends), because the description lists its responses as `application/json` only:
//    each JSON response is also listed under `application/vnd.github+json`.
// 2. A schema that is `nullable` with `oneOf` but no `type` (issue create's and update's
//    `milestone`) fails to compile in Prism's validator, and Prism then silently skips
//    validating the whole request body: such a schema becomes an `anyOf` of its branches,
//    each nullable, which means the same and compiles.
//
// 3. The `Link` header's example points at https://api.github.com; Prism would send it as
//    is, and kept rightly refuses to follow a page link to another host. The example goes,
//    so Prism's pages have no next page.
// 4. Many responses' examples read `value: {$ref: "#/components/examples/issue"}`: a
//    reference to a whole Example Object placed where its value belongs, so Prism answers
//    `{"value": {...}}`. Such an example becomes the reference itself.
//
// usage: node adjust.mjs OUT.json [--keep-nullable-oneof]
// (the flag leaves trap 2 in place, for the test that shows the trap is real)
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const source = require.resolve("@octokit/openapi/generated/api.github.com.json");
const spec = JSON.parse(readFileSync(source, "utf8"));

// The operations kept's GitHub client sends (src/tracker/github.rs).
const used = {
  "/repos/{owner}/{repo}/issues": ["get", "post"],
  "/repos/{owner}/{repo}/issues/{issue_number}": ["get", "patch"],
  "/repos/{owner}/{repo}/issues/{issue_number}/comments": ["post"],
  "/repos/{owner}/{repo}/issues/{issue_number}/events": ["get"],
  "/repos/{owner}/{repo}/labels": ["get", "post"],
  "/repos/{owner}/{repo}/milestones": ["get", "post"],
  "/repos/{owner}/{repo}/milestones/{milestone_number}": ["patch"],
  "/repos/{owner}/{repo}/pulls": ["get", "post"],
  "/repos/{owner}/{repo}/git/ref/{ref}": ["get"],
  "/repos/{owner}/{repo}/git/refs": ["post"],
  "/repos/{owner}/{repo}/git/refs/{ref}": ["patch"],
};
const paths = {};
for (const [path, methods] of Object.entries(used)) {
  const item = spec.paths[path];
  if (!item) throw new Error(`${source} has no ${path}: has the description changed?`);
  paths[path] = {};
  for (const m of methods) {
    if (!item[m]) throw new Error(`${source} has no ${m.toUpperCase()} ${path}`);
    paths[path][m] = item[m];
  }
  if (item.parameters) paths[path].parameters = item.parameters;
}
spec.paths = paths;

const keepTrap = process.argv.includes("--keep-nullable-oneof");
let media = 0;
let nullable = 0;
let examples = 0;
function visit(node) {
  if (Array.isArray(node)) return node.forEach(visit);
  if (!node || typeof node !== "object") return;
  // 2: nullable oneOf without a type.
  if (!keepTrap && node.nullable === true && node.type === undefined && Array.isArray(node.oneOf)) {
    node.anyOf = node.oneOf.map((branch) => ({ ...branch, nullable: true }));
    delete node.oneOf;
    delete node.nullable;
    nullable++;
  }
  // 4: an Example Object referenced from inside `value`.
  if (node.examples && typeof node.examples === "object" && !Array.isArray(node.examples)) {
    for (const [name, ex] of Object.entries(node.examples)) {
      const ref = ex && ex.value && ex.value.$ref;
      if (typeof ref === "string" && ref.startsWith("#/components/examples/") && Object.keys(ex.value).length === 1) {
        node.examples[name] = { $ref: ref };
        examples++;
      }
    }
  }
  // 1: responses (and examples) under the vendor media type too.
  if (node.content && node.content["application/json"] && !node.content["application/vnd.github+json"]) {
    node.content["application/vnd.github+json"] = node.content["application/json"];
    media++;
  }
  Object.values(node).forEach(visit);
}
for (const [name, header] of Object.entries(spec.components.headers || {})) {
  if (name.toLowerCase() === "link") {
    delete header.example;
    delete header.examples;
  }
}
visit(spec.paths);
visit(spec.components);

const out = process.argv[2];
if (!out || out.startsWith("--")) throw new Error("usage: node adjust.mjs OUT.json");
writeFileSync(out, JSON.stringify(spec));
console.log(`${Object.keys(paths).length} paths; ${media} media types added; ${nullable} nullable oneOf rewritten; ${examples} examples unwrapped`);

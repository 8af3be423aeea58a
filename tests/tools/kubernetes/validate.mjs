// Validates Kubernetes objects offline against the API's own schemas, as kubernetes-models (4.5.1: Kubernetes 1.33)
// generates them from the Kubernetes OpenAPI document. Two checks, each on every object:
//   1. the JSON Schema validator that kubernetes-models compiled for the object's apiVersion and kind (ajv): types,
//      required fields, formats such as int32, enumerations;
//   2. the TypeScript compiler, with each object as a literal of kubernetes-models' interface for its kind: a field the
//      API does not have (`replica:`, `imagePullPolicy` misspelt) is an error there, which JSON Schema alone lets pass
//      (Kubernetes' schemas allow additional properties; the API server drops unknown fields).
// Usage: node validate.mjs <file.yaml>...   (each file a stream of YAML documents, as `kubectl kustomize` prints)
// Prints one JSON object: {"valid": bool, "errors": ["<file> <Kind>/<name>: …"], "objects": [{"file", "object"}]},
// and exits 0 when every object is valid, 1 when one is not, 2 on bad usage.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import ts from "typescript";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs <file.yaml>...");
  process.exit(2);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const errors = [];
const objects = [];

for (const file of files) {
  for (const document of parseAllDocuments(await readFile(file, "utf8"))) {
    if (document.errors.length > 0) {
      errors.push(`${file}: YAML: ${document.errors.map(e => e.message).join("; ")}`);
      continue;
    }
    const object = document.toJS();
    if (object !== null && object !== undefined) {
      objects.push({ file, object });
    }
  }
}

// The module of an object's kind: apiVersion "v1" → kubernetes-models/v1/<Kind>, "apps/v1" → kubernetes-models/apps/v1/<Kind>.
const moduleOf = object => `kubernetes-models/${object.apiVersion}/${object.kind}`;
const nameOf = ({ file, object }) => `${path.basename(file)} ${object?.kind ?? "?"}/${object?.metadata?.name ?? "?"}`;

// 1. JSON Schema (ajv), through each kind's model class.
const typed = [];
for (const entry of objects) {
  const { object } = entry;
  if (typeof object !== "object" || typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    errors.push(`${nameOf(entry)}: not a Kubernetes object (apiVersion and kind are required)`);
    continue;
  }
  let model;
  try {
    model = (await import(moduleOf(object)))[object.kind];
  } catch {
    errors.push(`${nameOf(entry)}: no schema for apiVersion ${object.apiVersion}, kind ${object.kind} in Kubernetes 1.33`);
    continue;
  }
  try {
    new model(object).validate();
  } catch (error) {
    errors.push(`${nameOf(entry)}: ${error.message}`);
  }
  typed.push(entry);
}

// 2. TypeScript: one source file in memory, `const o<i>: I<Kind> = <the object as JSON>;` for each object, checked
// strictly against kubernetes-models' declarations. Its lines tell which object an error belongs to.
let source = "";
const lines = [];
typed.forEach((entry, index) => {
  source += `import type { I${entry.object.kind} as T${index} } from "${moduleOf(entry.object)}";\n`;
});
typed.forEach((entry, index) => {
  const first = source.split("\n").length;
  source += `export const o${index}: T${index} = ${JSON.stringify(entry.object, null, 2)};\n`;
  lines.push({ entry, first, last: source.split("\n").length - 1 });
});

const virtualFile = path.join(here, "rendered-objects.ts");
const options = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: [],
};
const host = ts.createCompilerHost(options);
const getSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (name, version, ...rest) =>
  path.resolve(name) === virtualFile ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest);
const fileExists = host.fileExists.bind(host);
host.fileExists = name => path.resolve(name) === virtualFile || fileExists(name);
const readFileText = host.readFile.bind(host);
host.readFile = name => (path.resolve(name) === virtualFile ? source : readFileText(name));
// An ES module: resolve the imports as node does for this folder's package.json ("type": "module").
const program = ts.createProgram([virtualFile], options, host);
const checked = program.getSourceFile(virtualFile);
for (const diagnostic of [...program.getSyntacticDiagnostics(checked), ...program.getSemanticDiagnostics(checked)]) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
  if (diagnostic.start === undefined) {
    errors.push(`TypeScript: ${message}`);
    continue;
  }
  const line = checked.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
  const owner = lines.find(l => line >= l.first && line <= l.last);
  errors.push(owner ? `${nameOf(owner.entry)}: ${message} (at ${pathAt(owner, line)})` : `TypeScript, line ${line}: ${message}`);
}

// The JSON path of a line of an object's literal, from the keys opened above it, for messages a person can follow.
function pathAt(owner, line) {
  const text = source.split("\n").slice(owner.first - 1, line);
  const stack = [];
  for (const row of text) {
    const indent = row.length - row.trimStart().length;
    const key = /^\s*"([^"]+)":/.exec(row)?.[1];
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) {
      stack.pop();
    }
    if (key !== undefined) {
      stack.push({ indent, key });
    }
  }
  return stack.map(s => s.key).join(".") || "the object";
}

const valid = errors.length === 0;
process.stdout.write(JSON.stringify({ valid, errors, objects }) + "\n");
process.exit(valid ? 0 : 1);

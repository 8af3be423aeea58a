// Validates an OpenAPI document with @apidevtools/swagger-parser: its structure against the OpenAPI schema of its version,
// and every $ref (a dangling reference fails). Usage: node validate.mjs <document.json>
// Prints one line "valid: ..." and exits 0, or prints why it is invalid and exits 1.
import { readFile } from "node:fs/promises";
import SwaggerParser from "@apidevtools/swagger-parser";

const path = process.argv[2];
if (!path) {
  console.error("usage: node validate.mjs <document.json>");
  process.exit(2);
}

try {
  // validate() dereferences the document it is given: hand it a copy, and count on the original.
  const text = await readFile(path, "utf8");
  const document = JSON.parse(text);
  await SwaggerParser.validate(JSON.parse(text));
  const operations = Object.values(document.paths ?? {}).flatMap(item => Object.keys(item).filter(k => k !== "parameters"));
  const schemas = Object.keys(document.components?.schemas ?? {});
  console.log(`valid: OpenAPI ${document.openapi}, ${Object.keys(document.paths ?? {}).length} paths, ${operations.length} operations, ${schemas.length} schemas`);
} catch (error) {
  console.error(`invalid: ${error.message}`);
  process.exit(1);
}

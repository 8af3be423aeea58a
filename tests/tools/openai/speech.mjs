// Drives the edge's OpenAI routes with OpenAI's official JavaScript SDK, as a client program would.
//   node speech.mjs '<json>'   with {"baseURL", "apiKey", "steps": [{"params", "read", "out"}]}
// Each step calls client.audio.speech.create(params) (or client.models.list() for read "models") and reads the answer:
//   "whole"        the body at once (await response.arrayBuffer(), what stream_to_file amounts to), written to out
//   "incremental"  the body chunk by chunk as it arrives; prints {"event":"first"} when the first bytes are in
//   "sse"          the speech.audio.* events through the SDK's own SSE decoder (Stream.fromSSEResponse); the deltas'
//                  bytes, concatenated, written to out
// and prints one JSON line per outcome: {"event":"done", …} or {"event":"error", "name", "status", …} for an SDK error.
// The SDK's own retries are off, so every status reaches the test as the edge sent it.
import fs from 'node:fs';
import OpenAI from 'openai';
import { Stream } from 'openai/streaming';

const config = JSON.parse(process.argv[2]);
const client = new OpenAI({ baseURL: config.baseURL, apiKey: config.apiKey, maxRetries: 0, timeout: 60_000 });
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');

for (const step of config.steps) {
  try {
    if (step.read === 'models') {
      const ids = [];
      for await (const model of client.models.list()) ids.push(model.id);
      print({ event: 'done', ids });
      continue;
    }

    const response = await client.audio.speech.create(step.params);
    const contentType = response.headers.get('content-type');
    const requestId = response.headers.get('x-request-id');
    if (step.read === 'sse') {
      const parts = [];
      const types = [];
      let usage = null;
      for await (const event of Stream.fromSSEResponse(response, new AbortController())) {
        types.push(event.type);
        if (event.type === 'speech.audio.delta') parts.push(Buffer.from(event.audio, 'base64'));
        if (event.type === 'speech.audio.done') usage = event.usage;
      }
      const body = Buffer.concat(parts);
      fs.writeFileSync(step.out, body);
      print({ event: 'done', status: response.status, contentType, requestId, bytes: body.length, deltas: parts.length, types: [...new Set(types)], lastType: types.at(-1), usage });
    } else if (step.read === 'incremental') {
      const parts = [];
      let total = 0;
      for await (const chunk of response.body) {
        if (total === 0) print({ event: 'first', bytes: chunk.length });
        parts.push(Buffer.from(chunk));
        total += chunk.length;
      }
      const body = Buffer.concat(parts);
      fs.writeFileSync(step.out, body);
      print({ event: 'done', status: response.status, contentType, requestId, bytes: body.length, chunks: parts.length });
    } else {
      const body = Buffer.from(await response.arrayBuffer());
      fs.writeFileSync(step.out, body);
      print({ event: 'done', status: response.status, contentType, requestId, bytes: body.length });
    }
  } catch (error) {
    print({
      event: 'error',
      name: error?.constructor?.name,
      authentication: error instanceof OpenAI.AuthenticationError,
      rateLimit: error instanceof OpenAI.RateLimitError,
      badRequest: error instanceof OpenAI.BadRequestError,
      apiError: error instanceof OpenAI.APIError,
      status: error?.status ?? null,
      retryAfter: error?.headers?.get?.('retry-after') ?? null,
      type: error?.type ?? null,
      code: error?.code ?? null,
      param: error?.param ?? null,
      message: String(error?.message ?? error),
    });
  }
}

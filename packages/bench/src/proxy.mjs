// A counting TCP proxy in front of PostgreSQL. It reads the frontend side of the wire protocol and counts the
// statements a client runs: each simple Query ('Q') and each extended-protocol Execute ('E'). It can also record
// the text and parameters of each statement (Parse 'P' + Bind 'B'), for EXPLAIN. Only used in untimed passes.
// `ignore` (a RegExp on the statement's text) leaves out statements that are not the requests' (a background job's).
import { createConnection, createServer } from 'node:net';

export async function startCountingProxy({ target, port = 0, ignore = null }) {
  const upstream = new URL(target);
  const state = { statements: 0, recording: null };
  const server = createServer((client) => {
    const pgSocket = createConnection({ host: upstream.hostname, port: Number(upstream.port || 5432) });
    let buf = Buffer.alloc(0);
    let started = false;
    const prepared = new Map(); // statement name -> text
    let lastBound = null;
    let boundSql = '';
    client.on('data', (chunk) => {
      pgSocket.write(chunk);
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!started) {
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          if (buf.length < len) break;
          const code = buf.readInt32BE(4);
          buf = buf.subarray(len);
          // 80877103 is SSLRequest: another startup packet follows (answered 'N' by a server without SSL).
          if (code !== 80877103) started = true;
          continue;
        }
        if (buf.length < 5) break;
        const type = String.fromCharCode(buf[0]);
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) break;
        const body = buf.subarray(5, len + 1);
        buf = buf.subarray(len + 1);
        if (type === 'Q') {
          const sql = cstring(body, 0).value;
          if (ignore?.test(sql)) continue;
          state.statements++;
          state.recording?.push({ sql, params: [] });
        } else if (type === 'P') {
          const name = cstring(body, 0);
          prepared.set(name.value, cstring(body, name.next).value);
        } else if (type === 'B') {
          boundSql = prepared.get(cstring(body, cstring(body, 0).next).value) ?? '';
          if (state.recording) lastBound = parseBind(body, prepared);
        } else if (type === 'E') {
          if (ignore?.test(boundSql)) continue;
          state.statements++;
          if (state.recording && lastBound) state.recording.push(lastBound);
          lastBound = null;
        }
      }
    });
    pgSocket.pipe(client);
    const close = () => {
      client.destroy();
      pgSocket.destroy();
    };
    client.on('error', close);
    pgSocket.on('error', close);
    client.on('close', close);
    pgSocket.on('close', close);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const url = new URL(target);
  url.host = `127.0.0.1:${server.address().port}`;
  return {
    url: url.toString(),
    get statements() {
      return state.statements;
    },
    /** Starts recording the statements (text and text-format parameters); returns the array being filled. */
    record() {
      state.recording = [];
      return state.recording;
    },
    stopRecording() {
      state.recording = null;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

function cstring(buf, at) {
  const end = buf.indexOf(0, at);
  return { value: buf.toString('utf8', at, end), next: end + 1 };
}

function parseBind(body, prepared) {
  const portal = cstring(body, 0);
  const stmt = cstring(body, portal.next);
  let at = stmt.next;
  const nFormats = body.readInt16BE(at);
  at += 2 + 2 * nFormats;
  const nParams = body.readInt16BE(at);
  at += 2;
  const params = [];
  for (let i = 0; i < nParams; i++) {
    const len = body.readInt32BE(at);
    at += 4;
    if (len < 0) params.push(null);
    else {
      params.push(body.toString('utf8', at, at + len));
      at += len;
    }
  }
  return { sql: prepared.get(stmt.value) ?? '', params };
}

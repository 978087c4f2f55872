// The floor of the artifact benchmarks (bench/artifacts.ts): the same bytes moved over a loopback
// socket by a bare node:http server with no MLflow semantics. PUT streams the body to a file, GET
// streams a file back, GET /list?path=dir answers the directory's entries with their sizes.
// Usage: node artifact-floor.mjs <root dir> <port>
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import process from 'node:process';
import { URL } from 'node:url';

const [root, port] = process.argv.slice(2);
createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/health') return res.end('OK');
    if (url.pathname === '/list') {
      const dir = join(root, url.searchParams.get('path') ?? '');
      const entries = await readdir(dir, { withFileTypes: true });
      const files = await Promise.all(
        entries.map(async (e) => ({
          path: e.name,
          is_dir: e.isDirectory(),
          ...(e.isDirectory() ? {} : { file_size: (await stat(join(dir, e.name))).size }),
        })),
      );
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ files }));
    }
    const file = join(root, decodeURIComponent(url.pathname.slice('/f/'.length)));
    if (req.method === 'PUT') {
      mkdirSync(dirname(file), { recursive: true });
      await pipeline(req, createWriteStream(file));
      return res.end();
    }
    const st = await stat(file);
    res.setHeader('content-length', String(st.size));
    await pipeline(createReadStream(file), res);
  } catch (err) {
    res.statusCode = 500;
    res.end(String(err));
  }
}).listen(Number(port), '127.0.0.1');

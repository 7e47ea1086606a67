/**
 * The `smartdrag` command (commander 14): `serve`, `token`, `edit`, plus `bench` and `models`
 * registered by their own modules.
 */
import { Command, Option } from 'commander';
import { intArg, outDirArg, previewPixelsArg } from './args';
import { join } from 'node:path';
import { DEFAULT_LIMITS, DEFAULT_PORT, WS_PATH } from '@smartdrag/shared';
import { addUserToken, bridgeVersion, ensureToken, readUserTokens, revokeUserToken, smartdragHome, tokensFile } from '../config';
import { startBridge } from '../main';
import { registerBench } from './bench';
import { registerModels } from './models';
import { registerPhotopeaLink } from './photopea-link';
import { registerDoctor } from './doctor';
import { runEditCommand } from './edit';
import { assertCanListen, formatCliError, homeWriteError, listenError } from './errors';

/**
 * The playground and the Photopea page are served from plugin-photopea/dist: build them (webpack,
 * no network, about 15 s) when missing or older than their sources, like `npm start` does, so
 * `smartdrag serve` on a fresh clone serves working pages. A failed build is reported and the
 * bridge still starts (its pages then say how to build them).
 */
async function buildPagesIfNeeded(): Promise<void> {
  const script = join(__dirname, '..', '..', '..', 'plugin-photopea', 'scripts', 'ensure-built.js');
  let pages: { ensureBuilt(): Promise<boolean>; isBuilt(): boolean };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pages = require(script) as typeof pages;
  } catch {
    return; // an install without the page sources
  }
  if (pages.isBuilt()) return;
  process.stdout.write('building the playground and Photopea pages (first run, about 15 s)…\n');
  try {
    await pages.ensureBuilt();
  } catch (e) {
    process.stderr.write(`could not build the pages (${(e as Error).message}); the bridge starts anyway: run \`npm run build -w @smartdrag/plugin-photopea\`\n`);
  }
}

/** Build the program (exported for tests and for embedding). */
export function buildProgram(): Command {
  const program = new Command('smartdrag')
    .description('SmartDrag: drag-based image editing — local bridge, editing core and tools')
    .version(bridgeVersion())
    .showHelpAfterError();

  program
    .command('serve')
    .description('start the local bridge (WebSocket /v1/ws, /v1/health, plugin pages)')
    .addOption(new Option('-p, --port <n>', 'TCP port (0 = any free port)').argParser(intArg(0, 65535)).env('SMARTDRAG_PORT').default(DEFAULT_PORT))
    .addOption(new Option('-H, --host <host>', 'interface to listen on').env('SMARTDRAG_HOST').default('127.0.0.1'))
    .option('--allow-origin <origin>', 'also accept browser pages from this origin (e.g. https://localhost:8443; repeat for more; env SMARTDRAG_ALLOWED_ORIGINS, comma-separated): they still need the token', (v: string, acc: string[] = []) => [...acc, v])
    .option('--allow-lan', 'confirm listening on a non-loopback interface (shares the bridge on your network; needs per-user tokens: `smartdrag token --add <user>`)', false)
    .addOption(new Option('--llm-url <url>', 'optional local LLM plan reasoner: OpenAI-compatible base URL on loopback, e.g. http://127.0.0.1:8080/v1').env('SMARTDRAG_LLM_URL'))
    .addOption(new Option('--llm-model <name>', 'model name for --llm-url').env('SMARTDRAG_LLM_MODEL'))
    .option('--workers <n>', 'edit worker threads (default min(2, cores))', intArg(1, 64))
    .option('--max-megapixels <n>', `largest image a job may send, in megapixels (default ${DEFAULT_LIMITS.maxImagePixels / 1e6}; a side stays at most ${DEFAULT_LIMITS.maxImageSidePx} px)`, intArg(1, Math.floor((DEFAULT_LIMITS.maxImageSidePx ** 2) / 1e6)))
    .option('--max-job-seconds <n>', `longest a job may run before it is stopped (default ${DEFAULT_LIMITS.maxJobMs / 1000})`, intArg(5, 3600))
    .option('--no-learned', 'do not run the learned stages (inpaint, refine) even when their models are installed')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).env('SMARTDRAG_LOG_LEVEL'))
    .option('--no-build', 'do not build the playground/Photopea pages when they are missing or stale')
    .action(async (o: {
      port: number; host: string; allowLan: boolean; build?: boolean; workers?: number; logLevel?: 'info'; llmUrl?: string; llmModel?: string;
      maxMegapixels?: number; maxJobSeconds?: number; learned: boolean; allowOrigin?: string[];
    }) => {
      await assertCanListen(o.host, o.port);
      if (o.build !== false) await buildPagesIfNeeded();
      const limits = {
        ...(o.maxMegapixels !== undefined ? { maxImagePixels: o.maxMegapixels * 1e6 } : {}),
        ...(o.maxJobSeconds !== undefined ? { maxJobMs: o.maxJobSeconds * 1000 } : {}),
      };
      const started = await startBridge({
        overrides: {
          port: o.port, host: o.host, allowLan: o.allowLan, ...(o.workers ? { workers: o.workers } : {}), ...(o.logLevel ? { logLevel: o.logLevel } : {}),
          ...(o.llmUrl ? { llm: { baseUrl: o.llmUrl, ...(o.llmModel ? { model: o.llmModel } : {}) } } : {}),
          ...(Object.keys(limits).length ? { limits } : {}),
          ...(o.learned === false ? { learnedStages: false } : {}),
          ...(o.allowOrigin?.length ? { allowedOrigins: o.allowOrigin } : {}),
        },
      }).catch((e: unknown) => { throw listenError(e, o.host, o.port) ?? e; });
      process.stdout.write(`SmartDrag bridge on ${started.url}  (ws ${started.wsUrl})\n`);
      process.stdout.write(`token: ${join(started.config.home, 'token')} (print it with \`smartdrag token\`)\n`);
      if (started.config.users.length) process.stdout.write(`per-user tokens: ${started.config.users.map((u) => u.user).join(', ')} (${tokensFile(started.config.home)})\n`);
      process.stdout.write(`log: ${started.config.logFile ?? 'stderr'}\nCtrl-C to stop.\n`);
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        void started.bridge.close().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  program
    .command('token')
    .description('print the bridge token (created on first run, stored mode 0600 in the config dir); manage per-user LAN tokens')
    .option('--path', 'print the token file path instead')
    .option('--add <user>', 'create (or rotate) the per-user token of <user> and print it (needed for `serve --host <lan> --allow-lan`)')
    .option('--revoke <user>', 'delete the per-user token of <user>')
    .option('--list', 'list users with a per-user token (never prints tokens)')
    .action((o: { path?: boolean; add?: string; revoke?: string; list?: boolean }) => {
      const home = smartdragHome();
      // One thing at a time: `--add bob --revoke bob` had silently only added (rotated) bob's token.
      const asked = (['add', 'revoke', 'list', 'path'] as const).filter((k) => o[k] !== undefined && o[k] !== false);
      if (asked.length > 1) { process.stderr.write(`smartdrag token: use one of --${asked.join(', --')} at a time\n`); process.exitCode = 1; return; }
      if (o.add !== undefined) {
        const token = addUserToken(home, o.add);
        process.stdout.write(`${token}\n`);
        process.stderr.write(`token of ${o.add} stored in ${tokensFile(home)}; restart the bridge to use it\n`);
        return;
      }
      if (o.revoke !== undefined) {
        if (!revokeUserToken(home, o.revoke)) { process.stderr.write(`no per-user token for ${o.revoke}\n`); process.exitCode = 1; return; }
        process.stderr.write(`revoked ${o.revoke}; restart the bridge to apply\n`);
        return;
      }
      if (o.list) {
        for (const u of readUserTokens(home)) process.stdout.write(`${u.user}\t${u.created ?? ''}\n`);
        return;
      }
      let token: string;
      try {
        token = ensureToken(home);
      } catch (e) {
        throw homeWriteError(e, home, 'the token file');
      }
      process.stdout.write((o.path ? join(home, 'token') : token) + '\n');
    });

  program
    .command('edit')
    .description('run one drag case: writes <out>/layer.png (the changed pixels) and <out>/edited.png (the original with the layer over it), prints plan and timings; in-process, installed learned models run on finals as in the bridge')
    .requiredOption('-c, --case <file>', 'drag case JSON (format: test/fixtures/cases/README.md)')
    .requiredOption('-o, --out <dir>', 'output folder (created if missing; edited.png and layer.png are replaced together, or not at all)', outDirArg)
    .option('-i, --image <file>', 'image to edit instead of the case image')
    .addOption(new Option('-q, --quality <q>', 'quality').choices(['preview', 'final']).default('final'))
    .option('--seed <n>', 'random seed (default 1: the same case gives the same pixels in-process and with --server)', intArg(0, 0xffffffff))
    .option('--json', 'print one JSON object {plan, timings, outputs, ...}', false)
    .option('--server <url>', `send the job through a running bridge (e.g. ws://127.0.0.1:${DEFAULT_PORT}${WS_PATH})`)
    .option('--token <token>', 'bridge token for --server (default: the local token file)')
    .option('--preview-max-pixels <n>', 'with --quality preview: run on a proxy of at most n pixels when the image is about 4x larger (outputs are then proxy-size); 0 = full resolution', previewPixelsArg, 1024 * 1024)
    .option('--no-learned', 'in-process: do not run the learned stages (inpaint, refine) even when their models are installed (not with --server: a bridge runs what `smartdrag serve` was started with)')
    .option('--reading <n>', 'carry out another reading of the plan: 0 = the first (default), i = the alternative listed as "or (--reading i)" under the plan', intArg(0, 64), 0)
    .action(async (o: { case: string; out: string; image?: string; quality: 'preview' | 'final'; seed?: number; json: boolean; server?: string; token?: string; previewMaxPixels: number; learned: boolean; reading: number }) => {
      await runEditCommand(o);
    });

  registerBench(program);
  registerModels(program);
  registerPhotopeaLink(program);
  registerDoctor(program);
  return program;
}

/**
 * Run the CLI with `process.argv`-style arguments. Failures are printed as one coded line plus a
 * hint (see {@link formatCliError}) and set `process.exitCode = 1`; they do not reject.
 */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(formatCliError(e));
    process.exitCode = 1;
  }
}

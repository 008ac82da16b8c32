// Serves the git benchmark's generated repository until interrupted, for profiling one phase at a time:
//   node bench/git/serve.ts [--files 20000] [--commits 500]
// Prints the repository's URL; then e.g. `node --cpu-prof bench/git/first-fetch.ts <url> <dir> entries`.
import { parseArgs } from "node:util";
import { createRepo, repoUrl, startGitServers } from "../../test/harness/git/index.ts";
import { generateRepo } from "./repo.ts";

const { values: args } = parseArgs({
  options: {
    files: { type: "string", default: "20000" },
    commits: { type: "string", default: "500" },
  },
});
const servers = await startGitServers({ ssh: false });
const info = servers.info();
const dir = await createRepo(info, "big");
const tip = await generateRepo(dir, "main", { files: Number(args.files), commits: Number(args.commits) });
process.stdout.write(`${repoUrl(info, "http-anon", "big")} ${tip}\n`);
const stop = (): void => {
  void servers.stop().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

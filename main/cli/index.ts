// `dermaread <command>`: each command is a module exporting `describe` and `main(argv)`, loaded only when chosen.
export interface CliCommand {
  describe: string;
  main(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  import: () => import('./commands/import.ts'),
  models: () => import('./commands/models.ts'),
  predict: () => import('./commands/predict.ts'),
  info: () => import('./commands/info.ts'),
  stats: () => import('./commands/stats.ts'),
  serve: () => import('./commands/serve.ts'),
  demo: () => import('./commands/demo.ts'),
};

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`usage: dermaread <${Object.keys(COMMANDS).join('|')}> [options]\n`);
    return name ? 2 : 0;
  }
  try {
    return await (await load()).main(rest);
  } catch (error) {
    process.stderr.write(`dermaread ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

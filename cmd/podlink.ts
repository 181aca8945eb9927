declare const __PODLINK_VERSION__: string;
process.stdout.write(`podlink ${typeof __PODLINK_VERSION__ === 'string' ? __PODLINK_VERSION__ : 'dev'}\n`);

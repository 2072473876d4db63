// Types of compiled.mjs (plain JavaScript, so that the `runlens` command can load it before tsx).
export declare const collectorDist: string;
export declare const compiledCli: string;
export declare function isCollectorBuildStale(repository?: string): boolean;

/** True for the ua-parser-js source file. */
export function isUaParserSource(path: string): boolean;
/** The ua-parser-js source with its browser, cpu and engine tables emptied. */
export function trimUaParser(code: string): string;

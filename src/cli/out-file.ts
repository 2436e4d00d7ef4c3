/** A file a command writes (`--out`), opened up front so that a path it cannot write is a message naming it, not a stack. */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';

export function openOutFile(file: string, flag = '--out'): WriteStream {
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `${flag} ${file}: cannot write it: ${why(err, file)}`, { cause: err });
  }
  return createWriteStream('', { fd });
}

function why(err: unknown, file: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `no folder ${path.dirname(path.resolve(file))}`;
  if (code === 'EISDIR') return 'it is a folder; expected a file name';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a folder';
  return code ?? (err as Error).message;
}

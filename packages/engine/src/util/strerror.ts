/** strerror() texts for the file-system errors Node reports by code (Redis puts them in replies and logs). */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EDQUOT: 'Disk quota exceeded',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
};

/** strerror's text for a Node file-system error; the error's own message for anything else. */
export function strerror(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && ERRNO_TEXT[code]) || (error as Error).message;
}

// What a command on the instance prints or writes names its job folder by the instance's absolute
// path (`/home/ubuntu/.scons-remote/jobs/<id>/src/foo.c`), which means nothing here. The job folder
// mirrors the local project folder, so that prefix is replaced by the project folder. It is found
// by the job folder's own name, which holds the job's random id: the home folder before it may be
// spelled through a symbolic link (`$PWD`) or resolved (getcwd, as compilers print it).

/** Characters that may be part of a path in program output; anything else ends one. */
const PATH_CHAR = '[^\\s\'"`:;,()<>|&=]';
/** What may continue a file name: after the job folder's name, it would be another folder's. */
const NAME_CHAR = '[A-Za-z0-9_.~+-]';
const TRAILING_PATH = new RegExp(`${PATH_CHAR}*$`);
/** No path is longer than this (Linux's PATH_MAX): text held back beyond it cannot become one. */
const MAX_PATH = 4096;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class JobFolderPaths {
  readonly #pattern: RegExp;
  readonly #local: string;

  /**
   * @param jobFolder the job folder relative to the instance's home (`.scons-remote/jobs/<id>`)
   * @param localFolder the project folder the job folder mirrors
   * @param encoding how text given to `rewrite` encodes the local folder: `latin1` for bytes as text
   */
  constructor(jobFolder: string, localFolder: string, encoding: 'utf8' | 'latin1' = 'utf8') {
    // Starts at the first `/` of a run of path characters (so `-I/home/…` matches from the `/`),
    // and ends with the job folder's name (a closing quote may follow it, `/` or the end).
    this.#pattern = new RegExp(
      `(?<!/${PATH_CHAR}*)/(?:${PATH_CHAR}*?/)?${escapeRegExp(jobFolder)}(?!${NAME_CHAR})`,
      'g',
    );
    this.#local = Buffer.from(localFolder, 'utf8').toString(encoding);
  }

  /** The text with every absolute path of the job folder replaced by the local project folder. */
  rewrite(text: string): string {
    return text.replace(this.#pattern, () => this.#local);
  }

  /**
   * The local form of an absolute path on the instance, or undefined for one outside the job folder.
   * Relative paths are returned as they are: the command ran where they mean the same as here.
   */
  localPath(path: string): string | undefined {
    if (!path.startsWith('/')) return path;
    this.#pattern.lastIndex = 0;
    const match = this.#pattern.exec(path);
    return match?.index === 0 ? this.#local + path.slice(match[0].length) : undefined;
  }

  /**
   * Where the text must be cut when more may follow: from the first `/` of its last run of path
   * characters, which a later chunk could still turn into the job folder's path.
   */
  completeUpTo(text: string): number {
    const tail = TRAILING_PATH.exec(text)!;
    const slash = tail[0].indexOf('/');
    if (slash === -1 || tail[0].length - slash > MAX_PATH) return text.length;
    return tail.index + slash;
  }
}

import { existsSync, writeFileSync } from 'node:fs';
import { UserError } from '../util/user-error.js';
import { DESCRIPTION_COMPILER_OPTIONS } from './description-settings.js';
import { STARTER_DESCRIPTION } from './starter-description.js';

/** `remote-gen init`: writes a starting description and the tsconfig.json an editor needs; returns their names. */
export function initProject(description: string): string[] {
  const files: [string, string][] = [
    [description, STARTER_DESCRIPTION],
    [
      'tsconfig.json',
      `${JSON.stringify({ compilerOptions: DESCRIPTION_COMPILER_OPTIONS }, null, 2)}\n`,
    ],
  ];
  const existing = files.map(([path]) => path).filter((path) => existsSync(path));
  if (existing.length > 0) {
    const verb = existing.length > 1 ? 'already exist' : 'already exists';
    throw new UserError(
      `${existing.join(' and ')} ${verb}; remote-gen init writes only new files, so it wrote nothing`,
    );
  }
  for (const [path, text] of files) writeFileSync(path, text, { flag: 'wx' });
  return files.map(([path]) => path);
}

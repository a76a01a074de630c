/**
 * An error caused by the user's input (description, arguments, environment).
 * Its message is one line meant for the terminal; CLIs print it without a stack.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof Error && error.name === 'UserError';
}

// Typed connector errors; lib/cni maps them to codes by name (FeatureMissing 100, ModeMismatch 101).
export class FeatureMissingError extends Error {
  step?: string;
  hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'FeatureMissingError';
    this.hint = hint;
  }
}

export class ModeMismatchError extends Error {
  step?: string;
  hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'ModeMismatchError';
    this.hint = hint;
  }
}

export class ModeFileError extends Error {
  step?: string;
  hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'ModeFileError';
    this.hint = hint;
  }
}

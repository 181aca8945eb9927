// Typed connector errors; lib/cni maps them to codes by name (FeatureMissing 100, ModeMismatch 101).
abstract class ConnectorError extends Error {
  step?: string;
  hint?: string;
  constructor(name: string, message: string, hint?: string) {
    super(message);
    this.name = name;
    this.hint = hint;
  }
}

export class FeatureMissingError extends ConnectorError {
  constructor(message: string, hint?: string) {
    super('FeatureMissingError', message, hint);
  }
}

export class ModeMismatchError extends ConnectorError {
  constructor(message: string, hint?: string) {
    super('ModeMismatchError', message, hint);
  }
}

export class ModeFileError extends ConnectorError {
  constructor(message: string, hint?: string) {
    super('ModeFileError', message, hint);
  }
}

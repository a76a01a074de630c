/** An EC2 API error, answered in EC2's XML error shape with AWS's HTTP status for the code. */
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    if (this.code === 'RequestLimitExceeded' || this.code === 'Unavailable') return 503;
    if (this.code === 'InsufficientInstanceCapacity' || this.code === 'InternalError') return 500;
    if (this.code === 'AuthFailure') return 401;
    return 400;
  }
}

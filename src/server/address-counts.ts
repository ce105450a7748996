/**
 * Live connections in all and per address, kept as counts so the caps are
 * checked in constant time: filtering every connection on each new one
 * made opening n connections cost n² steps.
 */
export class AddressCounts {
  private readonly byAddress = new Map<string, number>();
  private all = 0;

  add(address: string): void {
    this.all += 1;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
  }

  remove(address: string): void {
    const count = this.byAddress.get(address) ?? 0;
    if (count === 0) return;
    if (count > 1) this.byAddress.set(address, count - 1);
    else this.byAddress.delete(address);
    this.all -= 1;
  }

  get total(): number {
    return this.all;
  }

  of(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }
}

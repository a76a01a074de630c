// ninja-build-gen ships no type declarations; this covers the part of its API the project uses.
declare module 'ninja-build-gen' {
  interface NinjaRule {
    run(command: string): NinjaRule;
    description(text: string): NinjaRule;
    restat(enabled: boolean): NinjaRule;
    generator(enabled: boolean): NinjaRule;
    pool(name: string): NinjaRule;
  }
  interface NinjaEdge {
    using(rule: string): NinjaEdge;
    from(sources: string | string[]): NinjaEdge;
    need(dependencies: string | string[]): NinjaEdge;
    after(orderOnly: string | string[]): NinjaEdge;
    assign(name: string, value: string): NinjaEdge;
    pool(name: string): NinjaEdge;
  }
  interface NinjaBuilder {
    header(text: string): NinjaBuilder;
    byDefault(targets: string): NinjaBuilder;
    rule(name: string): NinjaRule;
    edge(targets: string | string[]): NinjaEdge;
    saveToStream(stream: { write(text: string): unknown }): void;
  }
  interface NinjaBuildGen {
    (version?: string, buildDir?: string): NinjaBuilder;
    escape(path: string): string;
  }
  const ninjaBuildGen: NinjaBuildGen;
  export default ninjaBuildGen;
}

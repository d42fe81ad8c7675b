import { formatDiagnostic, parseDiagnostics, uniqueDiagnostics } from '../../dev/infra/diagnostics';
import { exprText, objectKeys, objectValue, parseExpression } from '../infra/support/armExpression';

const WORK = '/tmp/infra-build-x/infra';

describe('Bicep CLI diagnostics', () => {
  it('reads file, place, level and code, naming the committed file rather than the temporary copy', () => {
    const stderr = `${WORK}/modules/hostStorage.bicep(30,27) : Warning BCP036: The property "allowSharedKeyAccess" expected a value of type "bool | null". [https://aka.ms/bicep/core-diagnostics#BCP036]\n`;
    expect(parseDiagnostics(stderr, WORK)).toEqual({
      diagnostics: [
        {
          file: 'infra/modules/hostStorage.bicep',
          line: 30,
          column: 27,
          level: 'Warning',
          code: 'BCP036',
          message: 'The property "allowSharedKeyAccess" expected a value of type "bool | null". [https://aka.ms/bicep/core-diagnostics#BCP036]',
        },
      ],
      unrecognised: [],
    });
  });

  it('reads linter rule names as codes, and keeps every line it cannot read', () => {
    const stderr = [`${WORK}/main.bicep(3,7) : Warning no-unused-params: Parameter "x" is declared but never used.`, 'Unhandled exception: boom', ''].join('\n');
    const parsed = parseDiagnostics(stderr, WORK);
    expect(parsed.diagnostics.map((d) => [d.code, d.level])).toEqual([['no-unused-params', 'Warning']]);
    expect(parsed.unrecognised).toEqual(['Unhandled exception: boom']);
  });

  it('reports each finding once however many steps saw it, in file and line order', () => {
    const line = (file: string, at: number) => `${WORK}/${file}(${String(at)},1) : Error BCP053: x`;
    const { diagnostics } = parseDiagnostics([line('main.bicep', 9), line('a.bicep', 2), line('main.bicep', 9)].join('\n'), WORK);
    expect(uniqueDiagnostics(diagnostics).map(formatDiagnostic)).toEqual(['infra/a.bicep(2,1) : Error BCP053: x', 'infra/main.bicep(9,1) : Error BCP053: x']);
  });
});

describe('ARM expressions as the Bicep CLI compiles them', () => {
  it('parses calls, member and index access, and escaped quotes', () => {
    const parsed = parseExpression("[format('{0}''s', reference(resourceId('Microsoft.Web/sites', parameters('name')), '2024-04-01').defaultHostName, parameters('ids')[copyIndex()])]");
    expect(exprText(parsed)).toBe("format('{0}''s', reference(resourceId('Microsoft.Web/sites', parameters('name')), '2024-04-01').defaultHostName, parameters('ids')[copyIndex()])");
  });

  it('lists the keys a spread of optional objects can produce, and the value of each', () => {
    const parsed = parseExpression("[shallowMerge(createArray(createObject('A', parameters('a'), 'B', 'b'), if(empty(parameters('c')), createObject(), createObject('C', parameters('c')))))]");
    expect(objectKeys(parsed)).toEqual(['A', 'B', 'C']);
    const c = objectValue(parsed, 'C');
    expect(c && exprText(c)).toBe("parameters('c')");
  });

  it('refuses text that is not an expression', () => {
    expect(() => parseExpression("[concat('a', ]")).toThrow(/ARM expression/);
    expect(() => parseExpression("[parameters('a') extra]")).toThrow(/unexpected text/);
  });
});

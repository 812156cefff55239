import { formatFeatureValue } from "./format";

describe("formatFeatureValue", () => {
  it("writes a credential pair as user:password", () => {
    expect(formatFeatureValue("root\u001fP@ssw0rd")).toBe("root:P@ssw0rd");
  });

  it("keeps other values unchanged", () => {
    expect(formatFeatureValue("cdn.example.net:8080")).toBe(
      "cdn.example.net:8080",
    );
  });
});

import JSONValue
import Testing

@testable import SwitchboardAdapters

/// How a provider's body becomes the call's `data`.
@Suite struct ResponseBodyTests {
    /// A text body in the charset its Content-Type declares is read in it (it came back as base64, as if binary).
    @Test func aDeclaredCharsetIsRead() {
        let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9]  // "café" in ISO-8859-1: not UTF-8
        #expect(ResponseBody.decode(latin1, contentType: "text/plain; charset=iso-8859-1") == "café")
        #expect(ResponseBody.decode(latin1, contentType: "text/plain; charset=\"ISO-8859-1\"") == "café")
        #expect(ResponseBody.decode([0x80], contentType: "text/plain;charset=windows-1252") == "€")
        #expect(ResponseBody.decode([0x00, 0x68, 0x00, 0x69], contentType: "text/plain; charset=utf-16be") == "hi")
        // JSON in Latin-1 is parsed once read.
        #expect(ResponseBody.decode(Array("{\"n\": \"caf".utf8) + [0xE9, 0x22, 0x7D], contentType: "application/json; charset=latin1") == ["n": "café"])
        // UTF-8, or no charset: as before; bytes that are no text stay base64.
        #expect(ResponseBody.decode(Array("café".utf8), contentType: "text/plain; charset=utf-8") == "café")
        #expect(ResponseBody.decode(latin1, contentType: "application/octet-stream") == "Y2Fm6Q==")
    }
}

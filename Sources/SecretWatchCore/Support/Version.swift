public enum SecretWatchVersion { public static let string = "0.1.0" }
